import type { InsightsEvent } from '../events/schemas';
import type { Log } from '../lib/log';
import { DELIVERED, DROP, outcomeOf, SPLIT, STOP } from './answers';
import { parseRetryAfter, retryDelay } from './backoff';

/** Sends one batch and resolves with the events to try again later. */
export type Deliver = (events: InsightsEvent[]) => Promise<InsightsEvent[]>;
type Refuse = (event: InsightsEvent, status: number) => void;

/**
 * Does what the Insights API's answer to a batch calls for (answers.ts says which), and
 * resolves with the events to try again later: `stopSending` where the appId or API key is
 * refused, `retryIn` where the batch is to be sent again after a backoff (or the server's
 * `Retry-After`), and `deliver` again for each half of a batch to split.
 */
export function settleAnswers(log: Log, refuse: Refuse, deliver: Deliver, stopSending: (status: number) => void, retryIn: (delayMs: number) => void) {
  // Failed sends in a row: the next retry waits the longer.
  let failures = 0;

  // Not async: what `deliver` returns from here needs no promise of its own, as when this was part of it.
  /** `exited`: the page was left while the request was in flight. */
  return (events: InsightsEvent[], response: Response | undefined, exited: boolean): InsightsEvent[] | Promise<InsightsEvent[]> => {
    // 0 when the request got no answer (network error, offline, timeout).
    const status = response?.status ?? 0;
    switch (outcomeOf(status)) {
      case DELIVERED:
        failures = 0;
        return [];
      case STOP:
        stopSending(status);
        // Kept for a later page, which may have a valid key: a drain's batch was in the outbox already.
        return events;
      case SPLIT: {
        // The API refused the whole batch for one event: halved until that event stands alone.
        if (events.length === 1) {
          refuse(events[0] as InsightsEvent, status);
          return [];
        }
        const half = Math.ceil(events.length / 2);
        return Promise.all([deliver(events.slice(0, half)), deliver(events.slice(half))]).then((halves) => halves.flat());
      }
      case DROP:
        log.warn(`the Insights API answered ${status}; ${events.length} events dropped`);
        return [];
    }
    // A keepalive request outlives its page, so one in flight when the page was left (or frozen
    // into the back/forward cache) may well arrive although its promise fails without an
    // answer: it is not sent again, or the API would count it twice.
    if (!status && exited) {
      log.debug('unanswered at page exit: not repeated');
      return [];
    }
    // `Retry-After` is read where the server exposes it to the page.
    const delay = retryDelay(++failures, parseRetryAfter(response?.headers?.get('Retry-After')));
    log.debug(`send failed (${status || 'no answer'}), retry in ${delay} ms`);
    retryIn(delay);
    return events;
  };
}
