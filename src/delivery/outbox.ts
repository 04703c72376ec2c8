import { promisifyRequest } from 'idb-keyval';
import { isTooOld, type InsightsEvent } from '../events/schemas';
import { safeStore } from '../lib/idb';

/** Undelivered events kept at the most; past it the oldest go, so a long outage cannot fill the disk. */
export const OUTBOX_CAP = 1000;
const DB_NAME = 'querytrail-outbox';

/** Sends events and resolves with those still to keep. */
type Send = (events: InsightsEvent[]) => Promise<InsightsEvent[]>;

export interface Outbox {
  /** Keeps events whose send failed, until `drain` delivers them. */
  add(events: InsightsEvent[]): Promise<void>;
  /**
   * Hands what is kept to `send`, which resolves with the events still to keep. With storage,
   * each stored event goes to one tab's drain only (another tab draining at the same time
   * finds the store empty). Events older than 4 days are dropped: the API would refuse the
   * whole batch for them.
   */
  drain(send: Send): Promise<void>;
  /** Kept in memory only, to be handed to beacons as the page goes: nothing else would send them. */
  takeUnstored(): InsightsEvent[];
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

/** Stores the events, then deletes the oldest past the cap. */
function storeWithinCap(objectStore: IDBObjectStore, events: InsightsEvent[]) {
  for (const event of events) objectStore.put(event, keyOf(event));
  // Keys only, and at most the cap and these events' worth of them.
  const keys = objectStore.getAllKeys();
  keys.onsuccess = () => {
    for (const key of keys.result.slice(0, -OUTBOX_CAP)) objectStore.delete(key);
  };
}

/** Takes every stored event out, in the order of their keys. */
function takeAll(objectStore: IDBObjectStore) {
  const events = promisifyRequest<InsightsEvent[]>(objectStore.getAll());
  objectStore.clear();
  return events;
}

export interface OutboxOptions {
  /** Whether storing is allowed; when not, events wait in memory and IndexedDB is never opened. */
  persistent: boolean;
  /** Told once when IndexedDB is missing or fails; memory alone is used from then on. */
  onStorageProblem?: (message: string) => void;
  /** Told how many events a drain dropped for being too old. */
  onExpired?: (count: number) => void;
}

export function createOutbox({ persistent, onStorageProblem, onExpired }: OutboxOptions): Outbox {
  const store = safeStore(DB_NAME, onStorageProblem);
  let inMemory: InsightsEvent[] = [];

  /**
   * Takes everything out in one transaction before sending, so that no other tab, nor this
   * tab's next page, can send it again while the request is under way; what fails is put back.
   * A request still in flight when the page goes is a keepalive one: it carries on without it.
   * That transaction is what keeps tabs apart, not a Web Lock: a page that holds a lock when it
   * is left, or whose lock another page asks for, is kept out of the back/forward cache.
   */
  const drainStore = async (send: Send) => {
    const taken = await store.run(takeAll, true);
    await outbox.add(await sendFresh(taken ?? [], send, onExpired));
  };

  const outbox: Outbox = {
    async add(events) {
      if (!events.length) return;
      const stored =
        persistent &&
        (await store.run((objectStore) => {
          storeWithinCap(objectStore, events);
          return true;
        }));
      // A full or failing IndexedDB never blocks sending: the events wait in memory instead.
      if (!stored) inMemory = [...inMemory, ...events].slice(-OUTBOX_CAP);
    },

    async drain(send) {
      // What fails again goes back before what was added meanwhile.
      inMemory = [...(await sendFresh(inMemory.splice(0), send, onExpired)), ...inMemory].slice(-OUTBOX_CAP);
      if (persistent) await drainStore(send);
    },

    // Emptied in place: the caller gets everything that was there.
    takeUnstored: () => inMemory.splice(0),

    setPersistent(next) {
      persistent = next;
      // What waited in memory for want of consent is stored now, as it would have been with it
      // (without consent, `add` puts it back in memory).
      void outbox.add(inMemory.splice(0));
    },

    clear() {
      inMemory = [];
      return store.clear();
    },
  };
  return outbox;
}
