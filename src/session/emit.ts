import { validateEvent, type InsightsEvent } from '../events/schemas';
import { announce } from '../lib/announce';
import type { Log } from '../lib/log';
import { describeElement } from '../markup/ancestry';

/** Refuses an event: a warning names the element and the rule, and the page hears `querytrail:reject`. */
export type Reject = (event: unknown, rule: string, element?: Element) => void;
/** Sends an event if it is valid, else rejects it; resolves to the event as validated, if it was. */
export type Emit = (event: object, element?: Element) => InsightsEvent | undefined;

export function rejecter(log: Log): Reject {
  return (event, rule, element) => {
    const origin = element ? ` from ${describeElement(element)}` : '';
    log.warn(`event${origin} not sent: ${rule}`, event);
    announce('querytrail:reject', { event, rule, element });
  };
}

/** Validate → queue → announce (docs/behaviour.md, Interactions). */
export function emitter(log: Log, enqueue: (event: InsightsEvent) => void, reject: Reject): Emit {
  return (event, element) => {
    const result = validateEvent(event);
    if (!result.ok) {
      reject(event, result.rule, element);
      return undefined;
    }
    log.debug('event', result.event);
    // Queued before the page hears of it, so that a listener's setOptOut(true) drops it with the rest.
    enqueue(result.event);
    announce('querytrail:event', result.event);
    return result.event;
  };
}
