/** Tells the page (and a tag manager listening on `document`) what QueryTrail did. */
export function announce<T extends 'querytrail:event' | 'querytrail:reject'>(type: T, detail: DocumentEventMap[T]['detail']): void {
  document.dispatchEvent(new CustomEvent(type, { detail }));
}
