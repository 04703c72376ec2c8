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
   * one tab at a time drains (another tab draining makes this a no-op). Events older than
   * 4 days are dropped: the API would refuse the whole batch for them.
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
const keyOf = (event: InsightsEvent) =>
  `${String(event.timestamp ?? Date.now()).padStart(15, '0')}-${String(added++).padStart(9, '0')}-${Math.random().toString(36).slice(2)}`;

export function createOutbox(options: { persistent: boolean; onStorageProblem?: (message: string) => void; onExpired?: (count: number) => void }): Outbox {
  let { persistent } = options;
  const store = safeStore(DB_NAME, options.onStorageProblem);
  let inMemory: InsightsEvent[] = [];

  const fresh = (events: InsightsEvent[]) => {
    const kept = events.filter((event) => !isTooOld(event));
    if (kept.length < events.length) options.onExpired?.(events.length - kept.length);
    return kept;
  };

  const drainMemory = async (send: Send) => {
    const taken = fresh(inMemory);
    inMemory = [];
    if (taken.length) inMemory = [...(await send(taken)), ...inMemory].slice(-OUTBOX_CAP);
  };

  /**
   * Takes everything out in one transaction before sending, so that no other tab, nor this
   * tab's next page, can send it again while the request is under way; what fails is put back.
   * A request still in flight when the page goes is a keepalive one: it carries on without it.
   */
  const drainStore = async (send: Send) => {
    const taken = await store.run(async (objectStore) => {
      const events = promisifyRequest<InsightsEvent[]>(objectStore.getAll());
      objectStore.clear();
      await promisifyRequest(objectStore.transaction);
      return events;
    });
    const events = fresh(taken ?? []);
    if (events.length) await outbox.add(await send(events));
  };

  const outbox: Outbox = {
    async add(events) {
      if (!events.length) return;
      const stored =
        persistent &&
        (await store.run((objectStore) => {
          for (const event of events) objectStore.put(event, keyOf(event));
          const count = objectStore.count();
          count.onsuccess = () => {
            const excess = count.result - OUTBOX_CAP;
            if (excess > 0) objectStore.getAllKeys(null, excess).onsuccess = (found) => (found.target as IDBRequest<IDBValidKey[]>).result.forEach((key) => objectStore.delete(key));
          };
          return promisifyRequest(objectStore.transaction).then(() => true);
        }));
      // A full or failing IndexedDB never blocks sending: the events wait in memory instead.
      if (!stored) inMemory = [...inMemory, ...events].slice(-OUTBOX_CAP);
    },

    async drain(send) {
      await drainMemory(send);
      if (!persistent) return;
      if (!navigator.locks) return drainStore(send);
      await navigator.locks.request(DB_NAME, { ifAvailable: true }, (lock) => (lock ? drainStore(send) : undefined));
    },

    takeUnstored() {
      const taken = inMemory;
      inMemory = [];
      return taken;
    },

    setPersistent(next) {
      persistent = next;
    },

    clear() {
      inMemory = [];
      return store.clear();
    },
  };
  return outbox;
}
