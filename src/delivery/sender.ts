import type { InsightsEvent } from '../events/schemas';
import type { Log } from '../lib/log';
import { bodyOf, toBatches } from './batches';
import type { Outbox } from './outbox';
import { settleAnswers, type Deliver } from './settle';
import { post, sendOnExit } from './transport';
import { createWaitingList } from './waiting';

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
  /** Adds an event to the next regular send; ignored once stopped. */
  enqueue(event: InsightsEvent): void;
  /** Sends everything waiting now, retries included; resolves when the answers are in. */
  flush(): Promise<void>;
  /**
   * Sends what earlier sends (on this page or an earlier one) could not deliver. Not once stopped:
   * a drain would only take the stored events out and put them back. What a drain reads from
   * storage as a clear (opt-out) comes is forgotten with the rest, not sent.
   */
  retry(): Promise<void>;
  /**
   * The page may be going away: hand everything waiting to beacons, without waiting. A request
   * in flight then that fails without an answer is not sent again: it may well have arrived.
   */
  flushOnExit(): void;
  /** Drops everything waiting (opt-out), a batch in flight too, whatever its answer. */
  clear(): void;
  /**
   * Sends nothing more, as a refused appId or API key does: what waits in memory is dropped,
   * and whatever comes to be sent stays where it waits (the outbox keeps it for a later page).
   */
  stop(): void;
}

/** One batch at a time: keepalive requests in flight share a 64 KB budget per page. Resolves with the events to try again later. */
async function deliverInTurn(events: InsightsEvent[], deliver: Deliver) {
  const failed: InsightsEvent[] = [];
  for (const batch of toBatches(events)) failed.push(...(await deliver(batch)));
  return failed;
}

/** For a page that is going: every event leaves now, in beacons, or never. */
function sendAllOnExit(url: string, events: InsightsEvent[]) {
  for (const batch of toBatches(events)) sendOnExit(url, bodyOf(batch));
}

/**
 * Sends events in batches, `flushInterval` ms after the first that waits, and what failed again
 * after a backoff (answers.ts says which answers fail). docs/behaviour.md describes delivery.
 */
export function createSender({ url, flushInterval, log, outbox, onRefused }: SenderOptions): Sender {
  let stopped = false;
  // Page exits and clears so far: a request in flight at either is not tried again (see Sender).
  let exits = 0;
  let clears = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const stopSending = (status: number) => {
    if (!stopped) log.error(`the Insights API refused appId/apiKey (${status}); sending stopped`);
    stopped = true;
    waiting.take();
  };
  const retryIn = (delayMs: number) => {
    clearTimeout(retryTimer);
    if (!stopped) retryTimer = setTimeout(retry, delayMs);
  };
  const settle = settleAnswers(log, onRefused, deliver, stopSending, retryIn);
  async function deliver(events: InsightsEvent[]): Promise<InsightsEvent[]> {
    if (stopped) return events;
    const exitsBefore = exits;
    const clearsBefore = clears;
    const response = await post(url, bodyOf(events));
    return clears !== clearsBefore ? [] : settle(events, response, exits !== exitsBefore);
  }

  /** The regular send: new events only, so that retries keep to their backoff. */
  const sendWaiting = async () => outbox.add(await deliverInTurn(waiting.take(), deliver));
  const waiting = createWaitingList(flushInterval, sendWaiting);

  async function retry(): Promise<void> {
    clearTimeout(retryTimer);
    const clearsBefore = clears;
    if (!stopped) await outbox.drain(async (events) => (clears !== clearsBefore ? [] : deliverInTurn(events, deliver)));
  }
  window.addEventListener('online', retry);

  return {
    enqueue(event) {
      if (!stopped) waiting.add(event);
    },
    async flush() {
      await Promise.all([sendWaiting(), retry()]);
    },
    retry,
    flushOnExit() {
      exits += 1;
      // What the outbox stored waits for the next page.
      if (!stopped) sendAllOnExit(url, [...outbox.takeUnstored(), ...waiting.take()]);
    },
    clear() {
      clears += 1;
      waiting.take();
      void outbox.clear();
    },
    stop() {
      waiting.take();
      stopped = true;
      clearTimeout(retryTimer);
      window.removeEventListener('online', retry);
    },
  };
}
