import { isTooOld, type InsightsEvent } from '../events/schemas';
import type { Log } from '../lib/log';
import { type Batch, batchesOf, bodyOf, toBatches } from './batches';
import type { Outbox } from './outbox';
import { settleAnswers, type Deliver } from './settle';
import { post, sendOnExit } from './transport';
import { createWaitingList } from './waiting';
import { oneAtATime } from '../lib/one-at-a-time';

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
   * The page is hidden, or `leaving` (pagehide, freeze): what waits leaves in beacons, as far as
   * the browser's beacon budget goes. A hidden page may come back: the rest waits for the next
   * regular send. A page that is leaving hands the rest to the tab's next page where storing is
   * allowed, and a request it had in flight that fails without an answer is not sent again: it
   * may well have arrived.
   */
  flushOnExit(leaving: boolean): void;
  /** Drops everything waiting (opt-out), a batch in flight too, whatever its answer. */
  clear(): void;
  /**
   * Sends nothing more, as a refused appId or API key does: what waits in memory is dropped,
   * and whatever comes to be sent stays where it waits (the outbox keeps it for a later page).
   */
  stop(): void;
}

/** Requests in flight at once on the page, whatever sends they belong to, once the first of a run was answered. */
const LANES = 3;
/** A burst: this many events waiting are sent at once, stored first where allowed and sent from the outbox. */
const BURST = 500;

/**
 * Runs of sends. A run sends its events in batches: the first alone, then up to LANES at once.
 * Runs overlap (bursts without storage, a retry, a flush) and share the page's LANES lanes: a batch is
 * taken out of its run only when a lane is free for it, so that the page's exit still finds it in
 * the run until then. A batch that comes back
 * with events to keep (no answer, 5xx, a refused key) ends the run: the batches not sent yet are
 * kept with it, and the backoff decides when they go.
 */
function createRuns(deliver: Deliver) {
  const running = new Set<Generator<Batch, void, undefined>>();
  let freeLanes = LANES;
  const waitingForLane: Array<() => void> = [];
  /**
   * Calls `send` at once where a lane is free, else once one is, in the order asked; the lane then
   * goes to the next in line.
   */
  const inLane = async (send: () => Promise<boolean>) => {
    if (freeLanes) freeLanes -= 1;
    else await new Promise<void>((go) => waitingForLane.push(go));
    try {
      return await send();
    } finally {
      const next = waitingForLane.shift();
      if (next) next();
      else freeLanes += 1;
    }
  };
  const run = async (events: InsightsEvent[]): Promise<InsightsEvent[]> => {
    const batches = batchesOf(events);
    const kept: InsightsEvent[] = [];
    let failed = false;
    /** Sends the next batch; false once none is left or the run failed. */
    const sendNext = async () => {
      const next = batches.next();
      if (next.done) return false;
      const toKeep = await deliver(next.value);
      kept.push(...toKeep);
      failed ||= toKeep.length > 0;
      return !failed;
    };
    const lane = async () => {
      let more = true;
      while (more) more = await inLane(sendNext);
    };
    running.add(batches);
    // The first batch alone: a refused key or a network that is down shows on one request, not on LANES.
    if (await inLane(sendNext)) await Promise.all(Array.from({ length: LANES }, lane));
    running.delete(batches);
    return [...kept, ...[...batches].flat()];
  };
  /** The page is going: the events of every run not sent yet, taken out of their runs. */
  const takeUnsent = () => [...running].flatMap((batches) => [...batches].flat());
  return { run, takeUnsent };
}

/**
 * Retries of what failed to send: after a backoff, at once on `online`, and one drain at a time. A
 * retry asked for during a drain (online, a flush, a stored burst) runs as soon as it ends, so
 * that what it put back, or what was stored meanwhile, waits for no backoff; unless a failure
 * meanwhile set a backoff, which the retry then waits for.
 */
function createRetries(drainOnce: () => Promise<void>, isStopped: () => boolean) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drain = oneAtATime(drainOnce, () => timer === undefined && !isStopped());
  const retry = () => {
    clearTimeout(timer);
    timer = undefined;
    return drain();
  };
  window.addEventListener('online', retry);
  return {
    retry,
    /** After a failure: the next retry in `delayMs`. */
    retryIn(delayMs: number) {
      clearTimeout(timer);
      if (!isStopped()) timer = setTimeout(retry, delayMs);
    },
    stop() {
      clearTimeout(timer);
      window.removeEventListener('online', retry);
    },
  };
}

/**
 * The page is hidden, or `leaving`: the events leave in beacons, as far as the browser takes them.
 * A hidden page may come back: the rest waits for the next regular send (`waitAgain`). A page that
 * is leaving hands the rest to the tab's next page, where storing is allowed; debug mode counts
 * what could not leave.
 */
function leaveOrHide(url: string, events: InsightsEvent[], leaving: boolean, waitAgain: (event: InsightsEvent) => void, outbox: Outbox, log: Log) {
  const left = sendAllOnExit(url, events);
  if (!leaving) for (const event of left) waitAgain(event);
  else {
    const lost = left.length - outbox.handOff(left);
    if (lost) log.debug(`${lost} events could not leave: past the beacon budget, and not stored for the next page`);
  }
}

/**
 * Sends new events, and keeps what fails for a retry. A burst is stored first where allowed, and
 * sent from the outbox a chunk at a time (`drain`), so that a page left in its middle loses none of
 * it: what did not leave goes from the next page.
 */
async function sendNew(
  events: InsightsEvent[],
  outbox: Outbox,
  run: (events: InsightsEvent[]) => Promise<InsightsEvent[]>,
  drain: () => Promise<void>,
) {
  const unstored = events.length >= BURST ? await outbox.store(events) : events;
  if (unstored.length < events.length) await drain();
  await outbox.add(await run(unstored));
}

/** For a page that is going: the events not too old leave in beacons, while the browser takes them; resolves with the rest. */
function sendAllOnExit(url: string, events: InsightsEvent[]): InsightsEvent[] {
  const batches = toBatches(events.filter((event) => !isTooOld(event)));
  const refused = batches.findIndex((batch) => !sendOnExit(url, bodyOf(batch)));
  return refused < 0 ? [] : batches.slice(refused).flat();
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
  let keepaliveInFlight = false;
  const retries = createRetries(drainOnce, () => stopped);
  const stopSending = (status: number) => {
    if (!stopped) log.error(`the Insights API refused appId/apiKey (${status}); sending stopped`);
    stopped = true;
    waiting.take();
  };
  const settle = settleAnswers(log, onRefused, deliver, stopSending, retries.retryIn);
  /**
   * One request at a time goes with `keepalive`: it arrives even if the page is left while it is in
   * flight (its events are out of the outbox by then). One only, of 48 KB at the most, so that the
   * exit's beacons keep a share of the 64 KB in flight the browser gives beacons and keepalive
   * requests together.
   */
  async function deliver(events: InsightsEvent[], keepalive = !keepaliveInFlight): Promise<InsightsEvent[]> {
    if (stopped) return events;
    const exitsBefore = exits;
    const clearsBefore = clears;
    keepaliveInFlight ||= keepalive;
    const response = await post(url, bodyOf(events), keepalive);
    if (keepalive) keepaliveInFlight = false;
    if (clears !== clearsBefore) return [];
    // The browser refuses a keepalive request past that budget (the page's other scripts count
    // too) exactly as a network error fails: it goes again at once as a plain request, which a
    // network that is down fails too. Not once the page was left: it may well have arrived.
    return keepalive && !response && exits === exitsBefore ? deliver(events, false) : settle(events, response, exits !== exitsBefore);
  }
  const runs = createRuns(deliver);
  async function drainOnce() {
    const clearsBefore = clears;
    // Offline, a drain would only take events out of storage to put them back: `online` retries.
    if (!stopped && navigator.onLine) await outbox.drain(async (events) => (clears !== clearsBefore ? [] : runs.run(events)));
  }

  /** The regular send: new events only, so that retries keep to their backoff. */
  const sendWaiting = () => sendNew(waiting.take(), outbox, runs.run, retries.retry);
  const waiting = createWaitingList(flushInterval, BURST, sendWaiting);

  return {
    enqueue(event) {
      if (!stopped) waiting.add(event);
    },
    async flush() {
      await Promise.all([sendWaiting(), retries.retry()]);
    },
    retry: retries.retry,
    flushOnExit(leaving) {
      if (leaving) exits += 1;
      if (stopped) return;
      // What the outbox stored waits for the next page.
      leaveOrHide(url, [...outbox.takeUnstored(), ...waiting.take(), ...(leaving ? runs.takeUnsent() : [])], leaving, waiting.add, outbox, log);
    },
    clear() {
      clears += 1;
      waiting.take();
      void outbox.clear();
    },
    stop() {
      waiting.take();
      stopped = true;
      retries.stop();
    },
  };
}
