import type { InsightsEvent } from '../events/schemas';
import type { Log } from '../lib/log';
import { parseRetryAfter, retryDelay } from './backoff';
import { bodyOf, toBatches } from './batches';
import { beacon, post } from './transport';

export interface DeliveryOptions {
  url: string;
  flushInterval: number;
  log: Log;
  /** The API refused one event on its own: it is dropped, and the page is told. */
  onRefused: (event: InsightsEvent, status: number) => void;
}

export interface Delivery {
  enqueue(event: InsightsEvent): void;
  /** Sends everything waiting now; resolves when the answers are in. */
  flush(): Promise<void>;
  /** The page may be going away: hand everything waiting to beacons, without waiting. */
  flushOnExit(): void;
  /** Drops everything waiting (opt-out). */
  clear(): void;
  stop(): void;
}

const isRetryable = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;
const isSplittable = (status: number) => status === 413 || status === 422;

export function createDelivery({ url, flushInterval, log, onRefused }: DeliveryOptions): Delivery {
  let waiting: InsightsEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // Page exits so far. A keepalive request outlives its page, so one in flight when the page
  // was left (or frozen into the back/forward cache) may well arrive although its promise
  // fails without an answer: it is not sent again, or the API would count it twice.
  let exits = 0;
  // Failed sends in a row, and until when the next try waits.
  let failures = 0;
  let backOffUntil = 0;

  const schedule = () => {
    if (timer !== undefined || !waiting.length || stopped) return;
    timer = setTimeout(flush, Math.max(flushInterval, backOffUntil - Date.now()));
  };

  const retryNow = () => {
    backOffUntil = 0;
    if (waiting.length) void flush();
  };
  window.addEventListener('online', retryNow);

  const take = () => {
    clearTimeout(timer);
    timer = undefined;
    const taken = stopped ? [] : waiting;
    waiting = [];
    return taken;
  };

  /** 413 and 422 refuse a whole batch for one event: halve until it stands alone. */
  async function deliver(events: InsightsEvent[]): Promise<void> {
    const exitsBefore = exits;
    const { status, retryAfter } = await post(url, bodyOf(events));
    if (status >= 200 && status < 300) {
      failures = 0;
      return;
    }
    if (status === 401 || status === 403) {
      if (!stopped) log.error(`the Insights API refused the credentials (${status}): check appId and apiKey. Sending stopped.`);
      stopped = true;
      waiting = [];
    } else if (isSplittable(status) && events.length > 1) {
      const half = Math.ceil(events.length / 2);
      await Promise.all([deliver(events.slice(0, half)), deliver(events.slice(half))]);
    } else if (isSplittable(status)) {
      onRefused(events[0] as InsightsEvent, status);
    } else if (status === 0 && exits !== exitsBefore) {
      log.debug('a send in flight when the page was left failed without an answer; its keepalive request is not repeated');
    } else if (isRetryable(status)) {
      failures += 1;
      const delay = retryDelay(failures, parseRetryAfter(retryAfter));
      backOffUntil = Math.max(backOffUntil, Date.now() + delay);
      waiting = [...events, ...waiting];
      log.debug(`send failed (${status || 'network error'}), ${events.length} events kept, next try in ${delay} ms`);
      clearTimeout(timer);
      timer = undefined;
      schedule();
    } else {
      log.warn(`the Insights API answered ${status}; ${events.length} events dropped`);
    }
  }

  async function flush(): Promise<void> {
    await Promise.all(toBatches(take()).map((batch) => deliver(batch.events)));
  }

  return {
    enqueue(event) {
      if (stopped) return;
      waiting.push(event);
      schedule();
    },
    flush,
    flushOnExit() {
      exits += 1;
      // Backing off or not, the page is going: what waits leaves now or never.
      for (const batch of toBatches(take())) {
        if (!beacon(url, batch.body)) void post(url, batch.body);
      }
    },
    clear() {
      take();
    },
    stop() {
      take();
      stopped = true;
      window.removeEventListener('online', retryNow);
    },
  };
}
