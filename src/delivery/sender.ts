import type { InsightsEvent } from '../events/schemas';
import type { Log } from '../lib/log';
import { parseRetryAfter, retryDelay } from './backoff';
import { bodyOf, toBatches } from './batches';
import type { Outbox } from './outbox';
import { post, sendOnExit } from './transport';

export interface SenderOptions {
  url: string;
  flushInterval: number;
  log: Log;
  /** Where events whose send failed wait for their retry, across page loads with storage. */
  outbox: Outbox;
  /** The API refused one event on its own: it is dropped, and the page is told. */
  onRefused: (event: InsightsEvent, status: number) => void;
}

export interface Sender {
  enqueue(event: InsightsEvent): void;
  /** Sends everything waiting now, retries included; resolves when the answers are in. */
  flush(): Promise<void>;
  /** Sends what earlier sends (on this page or an earlier one) could not deliver. */
  retry(): Promise<void>;
  /** The page may be going away: hand everything waiting to beacons, without waiting. */
  flushOnExit(): void;
  /** Drops everything waiting (opt-out). */
  clear(): void;
  stop(): void;
}

export function createSender({ url, flushInterval, log, outbox, onRefused }: SenderOptions): Sender {
  // Empty once stopped: nothing is added then.
  const waiting: InsightsEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // Page exits so far. A keepalive request outlives its page, so one in flight when the page
  // was left (or frozen into the back/forward cache) may well arrive although its promise
  // fails without an answer: it is not sent again, or the API would count it twice.
  let exits = 0;
  // Failed sends in a row: the next retry waits the longer.
  let failures = 0;
  // Clears (opt-out) so far: a send in flight then is forgotten with the rest, whatever its answer.
  let clears = 0;

  /** Everything waiting, emptied in place; its timer is off until the next event. */
  const take = () => {
    clearTimeout(timer);
    timer = undefined;
    return waiting.splice(0);
  };

  /**
   * Sends one batch and resolves with the events to try again later. 413 and 422 refuse a
   * whole batch for one event: it is halved until the event stands alone.
   */
  async function deliver(events: InsightsEvent[]): Promise<InsightsEvent[]> {
    // Once stopped, whatever comes to be sent stays where it waits (the outbox keeps it for a later page).
    if (stopped) return events;
    const exitsBefore = exits;
    const clearsBefore = clears;
    const response = await post(url, bodyOf(events));
    // Forgotten while in flight (opt-out): whatever the answer, nothing is tried again.
    if (clears !== clearsBefore) return [];
    // 0 when the request got no answer (network error, offline, timeout).
    const status = response?.status ?? 0;
    if (response?.ok) {
      failures = 0;
      return [];
    }
    if (status === 401 || status === 403) {
      if (!stopped) log.error(`the Insights API refused appId/apiKey (${status}); sending stopped`);
      stopped = true;
      take();
      // Kept for a later page, which may have a valid key: a drain's batch was in the outbox already.
      return events;
    }
    if (status === 413 || status === 422) {
      if (events.length === 1) {
        onRefused(events[0] as InsightsEvent, status);
        return [];
      }
      const half = Math.ceil(events.length / 2);
      return (await Promise.all([deliver(events.slice(0, half)), deliver(events.slice(half))])).flat();
    }
    if (!status && exits !== exitsBefore) {
      log.debug('unanswered at page exit: not repeated');
      return [];
    }
    if (status && status !== 408 && status !== 429 && status < 500) {
      log.warn(`the Insights API answered ${status}; ${events.length} events dropped`);
      return [];
    }
    // `Retry-After` is read where the server exposes it to the page.
    const delay = retryDelay(++failures, parseRetryAfter(response?.headers?.get('Retry-After')));
    log.debug(`send failed (${status || 'no answer'}), retry in ${delay} ms`);
    clearTimeout(retryTimer);
    if (!stopped) retryTimer = setTimeout(retry, delay);
    return events;
  }

  /** One batch at a time: keepalive requests in flight share a 64 KB budget per page. */
  const deliverAll = async (events: InsightsEvent[]) => {
    const failed: InsightsEvent[] = [];
    for (const batch of toBatches(events)) failed.push(...(await deliver(batch)));
    return failed;
  };

  /** The regular send: new events only, so that retries keep to their backoff. */
  const sendWaiting = async () => outbox.add(await deliverAll(take()));

  async function retry(): Promise<void> {
    clearTimeout(retryTimer);
    const clearsBefore = clears;
    // Once stopped, a drain would only take the stored events out and put them back. What it read
    // from storage as a clear (opt-out) came is forgotten with the rest, not sent.
    if (!stopped) await outbox.drain(async (events) => (clears !== clearsBefore ? [] : deliverAll(events)));
  }

  window.addEventListener('online', retry);

  return {
    enqueue(event) {
      if (stopped) return;
      waiting.push(event);
      timer ??= setTimeout(sendWaiting, flushInterval);
    },
    async flush() {
      await Promise.all([sendWaiting(), retry()]);
    },
    retry,
    flushOnExit() {
      exits += 1;
      if (stopped) return;
      // What waits in memory leaves now or never; what the outbox stored waits for the next page.
      for (const batch of toBatches([...outbox.takeUnstored(), ...take()])) sendOnExit(url, bodyOf(batch));
    },
    clear() {
      clears += 1;
      take();
      void outbox.clear();
    },
    stop() {
      take();
      stopped = true;
      clearTimeout(retryTimer);
      window.removeEventListener('online', retry);
    },
  };
}
