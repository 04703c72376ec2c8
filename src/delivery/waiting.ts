import type { InsightsEvent } from '../events/schemas';

/** Events waiting for the regular send, which comes `flushInterval` ms after the first of them. */
export function createWaitingList(flushInterval: number, send: () => void) {
  const events: InsightsEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    add(event: InsightsEvent) {
      events.push(event);
      timer ??= setTimeout(send, flushInterval);
    },
    /** Everything waiting, emptied in place; the timer is off until the next event. */
    take() {
      clearTimeout(timer);
      timer = undefined;
      return events.splice(0);
    },
  };
}
