/** A rejection as QueryTrail announces it on `document` (`querytrail:reject`). */
export interface Rejection {
  event: unknown;
  rule: string;
  element?: Element;
}

/**
 * Records what QueryTrail announces on `document`, as a page or a tag manager would hear it: each
 * accepted event (`querytrail:event`) and each rejection (`querytrail:reject`), until `stop()`.
 */
export function listenToAnnouncements() {
  const accepted: Array<Record<string, unknown>> = [];
  const rejected: Rejection[] = [];
  const onEvent = (event: Event) => accepted.push((event as CustomEvent).detail);
  const onReject = (event: Event) => rejected.push((event as CustomEvent).detail);
  document.addEventListener('querytrail:event', onEvent);
  document.addEventListener('querytrail:reject', onReject);
  const stop = () => {
    document.removeEventListener('querytrail:event', onEvent);
    document.removeEventListener('querytrail:reject', onReject);
  };
  return { accepted, rejected, stop };
}

/**
 * Resolves once the work clicks leave for a task of their own has run: their events are announced
 * there, not in the click's task (docs/behaviour.md, What a click costs the page).
 */
export const clicksHandled = () => new Promise<void>((resolve) => setTimeout(resolve));
