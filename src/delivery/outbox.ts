import { isTooOld, type InsightsEvent } from '../events/schemas';
import { type SafeStore, safeStore } from '../lib/idb';
import { toBatches } from './batches';
import { takeHandOff, writeHandOff } from '../storage/hand-off';
import { nextTask } from '../lib/next-task';

/**
 * Undelivered events kept in memory at the most; past it the oldest go, so that a long outage or
 * consent that never comes cannot fill the page's memory.
 */
export const OUTBOX_CAP = 5000;
/**
 * The same in IndexedDB, higher: a burst of 10,000 on its way fits, while a long outage still
 * cannot fill the disk.
 */
export const STORED_CAP = 20_000;
/** Events per IndexedDB record, each written and read in a transaction of its own: a full outbox goes in steps that make no long task. */
export const OUTBOX_CHUNK = 50;
/**
 * Transactions a store keeps waiting at once: IndexedDB runs them one after the other, and starts
 * the next without waiting for the page to ask.
 */
export const WRITES_AT_ONCE = 4;
/** Chunks a drain sends at once: the page's lanes (sender.ts) stay busy from one chunk to the next. */
const SENDS_AT_ONCE = 2;
// Also the session storage key of what a leaving page hands to the tab's next page.
export const DB_NAME = 'querytrail-outbox';

/** Sends events and resolves with those still to keep. */
type Send = (events: InsightsEvent[]) => Promise<InsightsEvent[]>;

export interface Outbox {
  /** Keeps events whose send failed, until `drain` delivers them: stored where allowed, else in memory. */
  add(events: InsightsEvent[]): Promise<void>;
  /**
   * Stores events in IndexedDB, where storing is allowed, past the cap if need be; resolves with
   * those it could not store.
   */
  store(events: InsightsEvent[]): Promise<InsightsEvent[]>;
  /**
   * Hands what is kept to `send`, a chunk at a time, until a chunk fails. With storage, each
   * stored event goes to one tab's drain only (another tab draining at the same time finds it
   * gone). Events older than 4 days are dropped: the API would refuse the whole batch for them.
   */
  drain(send: Send): Promise<void>;
  /** Kept in memory only, to be handed to beacons as the page goes: nothing else would send them. */
  takeUnstored(): InsightsEvent[];
  /**
   * The page is going: events that could not leave wait in session storage for the tab's next
   * page, since IndexedDB may abort what a leaving page writes; so do the chunks still being
   * stored. Session storage holds a few megabytes: where they do not all fit, the newest that fit
   * are kept. Returns how many of `events` were handed off (none where storing is not allowed).
   */
  handOff(events: InsightsEvent[]): number;
  setPersistent(persistent: boolean): void;
  clear(): Promise<void>;
}

/**
 * Events as they are stored: up to OUTBOX_CHUNK in one IndexedDB record, which costs IndexedDB far
 * less than a record per event. Keys sort by the first event's time, then by the order of adding:
 * the oldest are the first to go past the cap, and a drain sends in order. The random part keeps
 * two tabs' keys apart; the last part is how many events the record holds, which the cap and the
 * markup audit count without reading the events.
 */
type Chunk = [key: number[], events: InsightsEvent[]];
let added = 0;
function chunksOf(events: InsightsEvent[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (let from = 0; from < events.length; from += OUTBOX_CHUNK) {
    const part = events.slice(from, from + OUTBOX_CHUNK);
    chunks.push([[events[from]?.timestamp ?? Date.now(), added++, Math.random(), part.length], part]);
  }
  return chunks;
}
const eventsOf = (chunks: Chunk[]) => chunks.flatMap(([, events]) => events);
/** How many events the record stored under `key` holds (QueryTrail 0.1.0 stored one event per record, under three parts). */
export const countOf = (key: IDBValidKey) => (key as number[])[3] ?? 1;

/** Hands the events not too old to `send`; resolves with those still to keep. */
function sendFresh(events: InsightsEvent[], send: Send, onExpired: ((count: number) => void) | undefined) {
  const fresh = events.filter((event) => !isTooOld(event));
  if (fresh.length < events.length) onExpired?.(events.length - fresh.length);
  return send(fresh);
}

/** Deletes the oldest stored chunks, so that at most STORED_CAP events are kept; resolves with how many events went. */
function trimToCap(objectStore: IDBObjectStore): Promise<number> {
  return new Promise((resolve) => {
    const keys = objectStore.getAllKeys();
    keys.onsuccess = () => {
      let kept = 0;
      let past = 0;
      for (const key of keys.result.reverse()) {
        kept += countOf(key);
        if (kept > STORED_CAP) {
          objectStore.delete(key);
          past += countOf(key);
        }
      }
      resolve(past);
    };
  });
}

/**
 * Takes the oldest chunk out, in one transaction: no other tab can take it too. Its events go
 * `into` memory as soon as they are read, where the page's exit finds them: a page left while the
 * deletion commits would otherwise lose them. Resolves with how many there were.
 */
function takeChunk(objectStore: IDBObjectStore, into: InsightsEvent[]): Promise<number> {
  return new Promise((resolve) => {
    const keys = objectStore.getAllKeys(null, 1);
    const chunks = objectStore.getAll(null, 1);
    chunks.onsuccess = () => {
      // A record of QueryTrail 0.1.0 holds one event, not a list of them: it is taken all the same.
      const events: InsightsEvent[] = chunks.result.flat();
      const [key] = keys.result;
      if (key !== undefined) objectStore.delete(key);
      // Committed at once: a transaction left open by a page frozen into the back/forward cache would hold up the next page's.
      objectStore.transaction.commit();
      into.push(...events);
      resolve(events.length);
    };
  });
}

/**
 * Stores the first `count` chunks waiting in `toStore`, one per transaction, WRITES_AT_ONCE
 * transactions at a time, each chunk in `writing` until its transaction has committed; resolves with
 * the chunks it could not store (IndexedDB failed). A page left meanwhile may abort the transaction
 * or not: `handOff` passes the chunk on under the same key, so that it is stored once either way.
 */
async function storeQueue(store: SafeStore, toStore: Chunk[], count: number, writing: Set<Chunk>): Promise<Chunk[]> {
  let left = count;
  const unstored: Chunk[] = [];
  const writeChunks = async () => {
    // `toStore` may be emptied meanwhile: the page's exit or a clear took the chunks.
    while (left > 0 && toStore.length && !unstored.length) {
      const chunk = toStore.shift() as Chunk;
      left -= 1;
      writing.add(chunk);
      const stored = await store.run((objectStore) => objectStore.put(chunk[1], chunk[0]), true);
      writing.delete(chunk);
      if (!stored) unstored.push(chunk);
    }
  };
  await Promise.all(Array.from({ length: WRITES_AT_ONCE }, writeChunks));
  return unstored.length ? [...unstored, ...toStore.splice(0, left)] : [];
}

/**
 * Sends stored chunks, until none is left or one fails; resolves with the events to put back.
 * Storage and the network work at once: the next chunk is read while the last is sent, and a
 * chunk's send starts before the last one's is answered (`SENDS_AT_ONCE`). A chunk's last request is
 * rarely full: it waits in `carried` for the next chunk, so that requests go full.
 */
async function drainStore(store: SafeStore, carried: InsightsEvent[], send: Send): Promise<InsightsEvent[]> {
  const take = async () => (await store.run((objectStore) => takeChunk(objectStore, carried))) ?? 0;
  const sending: Array<Promise<unknown>> = [];
  const failed: InsightsEvent[] = [];
  let next = take();
  while (!failed.length) {
    const taken = await next;
    if (!carried.length) break;
    // A task of its own for the send: the read's task already turned a chunk of stored events into objects.
    await nextTask();
    const events = carried.splice(0);
    const partial = taken ? (toBatches(events).pop() ?? []) : [];
    carried.push(...partial);
    next = taken ? take() : Promise.resolve(0);
    sending.push(send(events.slice(0, events.length - partial.length)).then((kept) => failed.push(...kept)));
    if (sending.length === SENDS_AT_ONCE) await sending.shift();
  }
  // What the read ahead took out goes back with what failed.
  await Promise.all([...sending, next]);
  return failed.length ? [...failed, ...carried.splice(0)] : [];
}

/** Hands off the chunks, or the newest half of them, and so on, until they fit; returns how many events went. */
function handOffNewest(chunks: Chunk[]): number {
  for (let newest = chunks; newest.length; newest = newest.slice(Math.ceil(newest.length / 2))) {
    if (writeHandOff(DB_NAME, newest)) return eventsOf(newest).length;
  }
  return 0;
}

/** What the tab's previous page could not send or store as it went, taken over. */
function handedOff(): Chunk[] {
  let handed: Chunk[] = [];
  takeHandOff<Chunk>(DB_NAME, (chunks) => {
    handed = chunks;
  });
  return handed;
}

/** Calls `tell` with the first count above 0 it is given, and never again. */
function onceSome(tell: ((count: number) => void) | undefined) {
  let told = false;
  return (count: number) => {
    if (!count || told) return;
    told = true;
    tell?.(count);
  };
}

export interface OutboxOptions {
  /** Whether storing is allowed; when not, events wait in memory and IndexedDB is never opened. */
  persistent: boolean;
  /** Told once when IndexedDB is missing or fails; memory alone is used from then on. */
  onStorageProblem?: (message: string) => void;
  /** Told how many events a drain dropped for being too old. */
  onExpired?: (count: number) => void;
  /** Told, the first time only, how many of the oldest events were dropped to keep within the cap. */
  onFull?: (dropped: number) => void;
}

export function createOutbox({ persistent, onStorageProblem, onExpired, onFull }: OutboxOptions): Outbox {
  const store = safeStore(DB_NAME, onStorageProblem);
  // Kept in memory after a failure, without storage (or with a failing IndexedDB): held to the cap.
  let inMemory: InsightsEvent[] = [];
  // On their way, in memory until then, and so handed to the exit too: events waiting for their
  // chunk to be stored, and the last, partial request of a chunk the drain read, which waits for
  // the next chunk so that requests go full.
  const toStore: Chunk[] = [];
  const carried: InsightsEvent[] = [];
  // Chunks whose transaction has not committed yet, and what this page handed off so far (a page
  // may be left twice: pagehide, then freeze).
  const writing = new Set<Chunk>();
  let handed: Chunk[] = [];
  const dropped = onceSome(onFull);
  /** Keeps the newest events in memory, within the cap. */
  const keepInMemory = (events: InsightsEvent[]) => {
    dropped(Math.max(0, events.length - OUTBOX_CAP));
    inMemory = events.slice(-OUTBOX_CAP);
  };
  // The last store asked for, while it runs. Stores go one after the other, so that a burst's
  // first chunks are stored (and can be sent) before the next burst's.
  let lastStore: Promise<Chunk[]> | undefined;
  /** Stores the chunks where allowed; resolves with the events it could not store. */
  const storeChunks = async (chunks: Chunk[]) => {
    if (!persistent) return eventsOf(chunks);
    toStore.push(...chunks);
    // Not held to the cap: a burst on its way is not what a long outage piles up.
    const storeThese = () => storeQueue(store, toStore, chunks.length, writing);
    // With none running, the first chunk is in `writing` at once: a page left now hands it off.
    const storing = lastStore ? lastStore.then(storeThese) : storeThese();
    lastStore = storing;
    const unstored = await storing;
    if (lastStore === storing) lastStore = undefined;
    return eventsOf(unstored);
  };
  const addChunks = async (chunks: Chunk[]) => {
    if (!chunks.length) return;
    // A full or failing IndexedDB never blocks sending: the events wait in memory instead.
    const unstored = await storeChunks(chunks);
    if (unstored.length < eventsOf(chunks).length) dropped((await store.run(trimToCap)) ?? 0);
    // Read once stored: a drain may put events back meanwhile.
    keepInMemory([...inMemory, ...unstored]);
  };
  const outbox: Outbox = {
    store: (events) => storeChunks(chunksOf(events)),
    add: (events) => addChunks(chunksOf(events)),
    async drain(send) {
      // What fails again goes back before what was added meanwhile.
      keepInMemory([...(await sendFresh(inMemory.splice(0), send, onExpired)), ...inMemory]);
      if (!persistent) return;
      await addChunks(handedOff());
      await outbox.add(await drainStore(store, carried, (events) => sendFresh(events, send, onExpired)));
    },
    // Emptied in place: the caller gets everything that was there.
    takeUnstored: () => [...inMemory.splice(0), ...carried.splice(0), ...eventsOf(toStore.splice(0))],
    handOff(events) {
      if (!persistent) return 0;
      // The chunks being written go along under their keys: the next page stores them once, whether
      // or not their transaction commits as this page goes.
      handed = [...new Set([...handed, ...writing, ...chunksOf(events)])];
      return Math.min(events.length, handOffNewest(handed));
    },
    setPersistent(next) {
      persistent = next;
      // What waited in memory for want of consent is stored now, as it would have been with it
      // (without consent, `add` puts it back in memory).
      void outbox.add(inMemory.splice(0));
    },
    clear() {
      inMemory = [];
      handed = [];
      carried.length = 0;
      toStore.length = 0;
      // A hand-off no page took over (none may without consent) is stored data too.
      writeHandOff(DB_NAME, []);
      return store.clear();
    },
  };
  return outbox;
}
