import type { InsightsEvent } from '../events/schemas';

/**
 * Events waiting for the regular send, which comes `flushInterval` ms after the first of them, or
 * at once when `burst` events wait: a burst is on its way while it grows, not all at the end.
 */
export function createWaitingList(flushInterval: number, burst: number, send: () => void) {
  const events: InsightsEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    add(event: InsightsEvent) {
      events.push(event);
      if (events.length >= burst) send();
      else timer ??= setTimeout(send, flushInterval);
    },
    /** Everything waiting, emptied in place; the timer is off until the next event. */
    take() {
      clearTimeout(timer);
      timer = undefined;
      return events.splice(0);
    },
  };
}
