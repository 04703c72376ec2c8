import { isTooOld, type InsightsEvent } from '../events/schemas';
import { type SafeStore, safeStore } from '../lib/idb';
import { takeHandOff, writeHandOff } from '../storage/hand-off';

/**
 * Undelivered events kept at the most, in IndexedDB or in memory; past it the oldest go, so that
 * a long outage fills neither the disk nor the page's memory.
 */
export const OUTBOX_CAP = 5000;
/** Events per IndexedDB transaction: a full outbox is written and read in steps that make no long task. */
export const OUTBOX_CHUNK = 100;
// Also the session storage key of what a leaving page hands to the tab's next page.
const DB_NAME = 'querytrail-outbox';

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
   * page, since IndexedDB drops what a leaving page writes. False where storing is not allowed.
   */
  handOff(events: InsightsEvent[]): boolean;
  setPersistent(persistent: boolean): void;
  clear(): Promise<void>;
}

// Keys sort by the event's time, then by the order of adding: the oldest are the first to go
// past the cap, and a drain sends in order. The random part keeps two tabs' keys apart.
let added = 0;
const keyOf = (event: InsightsEvent) => [event.timestamp ?? Date.now(), added++, Math.random()];

/** Hands the events not too old to `send`; resolves with those still to keep. */
function sendFresh(events: InsightsEvent[], send: Send, onExpired: ((count: number) => void) | undefined) {
  const fresh = events.filter((event) => !isTooOld(event));
  if (fresh.length < events.length) onExpired?.(events.length - fresh.length);
  return send(fresh);
}

/** Deletes the oldest events past the cap; resolves with how many. */
function trimToCap(objectStore: IDBObjectStore): Promise<number> {
  return new Promise((resolve) => {
    const keys = objectStore.getAllKeys();
    keys.onsuccess = () => {
      const past = keys.result.slice(0, -OUTBOX_CAP);
      for (const key of past) objectStore.delete(key);
      resolve(past.length);
    };
  });
}

/** Takes the oldest chunk of events out, in one transaction: no other tab can take them too. */
function takeChunk(objectStore: IDBObjectStore): Promise<InsightsEvent[]> {
  return new Promise((resolve) => {
    const keys = objectStore.getAllKeys(null, OUTBOX_CHUNK);
    const events = objectStore.getAll(null, OUTBOX_CHUNK);
    events.onsuccess = () => {
      for (const key of keys.result) objectStore.delete(key);
      // Committed at once: a transaction left open by a page frozen into the back/forward cache would hold up the next page's.
      objectStore.transaction.commit();
      resolve(events.result);
    };
  });
}

/** Stores the events a chunk per transaction; resolves with those it could not store. */
async function storeInChunks(store: SafeStore, events: InsightsEvent[]): Promise<InsightsEvent[]> {
  for (let start = 0; start < events.length; start += OUTBOX_CHUNK) {
    const chunk = events.slice(start, start + OUTBOX_CHUNK);
    const stored = await store.run((objectStore) => {
      for (const event of chunk) objectStore.put(event, keyOf(event));
      return true;
    }, true);
    if (!stored) return events.slice(start);
  }
  return [];
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
  let inMemory: InsightsEvent[] = [];
  let full = false;
  const dropped = (count: number) => {
    if (count && !full) onFull?.(count);
    full ||= count > 0;
  };
  /** Keeps the newest events in memory, within the cap. */
  const keepInMemory = (events: InsightsEvent[]) => {
    dropped(Math.max(0, events.length - OUTBOX_CAP));
    inMemory = events.slice(-OUTBOX_CAP);
  };

  const outbox: Outbox = {
    async store(events) {
      if (!persistent) return events;
      const unstored = await storeInChunks(store, events);
      if (unstored.length < events.length) dropped((await store.run(trimToCap)) ?? 0);
      return unstored;
    },

    async add(events) {
      if (!events.length) return;
      // A full or failing IndexedDB never blocks sending: the events wait in memory instead.
      // Read once stored: a drain may put events back meanwhile.
      const unstored = await outbox.store(events);
      keepInMemory([...inMemory, ...unstored]);
    },

    async drain(send) {
      // What fails again goes back before what was added meanwhile.
      keepInMemory([...(await sendFresh(inMemory.splice(0), send, onExpired)), ...inMemory]);
      if (!persistent) return;
      // What the tab's previous page could not send as it went.
      let handed: InsightsEvent[] = [];
      takeHandOff<InsightsEvent>(DB_NAME, (events) => {
        handed = events;
      });
      await outbox.add(handed);
      // Stored chunks, until none is left or one fails, which is put back.
      for (let chunk = await store.run(takeChunk); chunk?.length; chunk = await store.run(takeChunk)) {
        const failed = await sendFresh(chunk, send, onExpired);
        if (failed.length) {
          await outbox.add(failed);
          return;
        }
      }
    },

    // Emptied in place: the caller gets everything that was there.
    takeUnstored: () => inMemory.splice(0),

    handOff: (events) => persistent && writeHandOff(DB_NAME, events),

    setPersistent(next) {
      persistent = next;
      // What waited in memory for want of consent is stored now, as it would have been with it
      // (without consent, `add` puts it back in memory).
      void outbox.add(inMemory.splice(0));
    },

    clear() {
      inMemory = [];
      // A hand-off no page took over (none may without consent) is stored data too.
      writeHandOff(DB_NAME, []);
      return store.clear();
    },
  };
  return outbox;
}
