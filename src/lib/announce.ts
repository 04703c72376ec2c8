/** Tells the page (and a tag manager listening on `document`) what QueryTrail did. */
export function announce(type: 'querytrail:event' | 'querytrail:reject', detail: unknown): void {
  document.dispatchEvent(new CustomEvent(type, { detail }));
}
