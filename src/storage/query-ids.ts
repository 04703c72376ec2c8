import { safeStore } from '../lib/idb';
import { takeHandOff, writeHandOff } from './hand-off';
import { createWriteBatches, type Change as ChangeOf, type Write } from './write-batches';

/** The search that led the user to an object; `at` is when, in ms since the epoch. */
export interface RememberedQuery {
  index: string;
  queryID: string;
  at: number;
}

export interface QueryIdMemoryOptions {
  /** How long a remembered queryID stays usable, in ms. */
  ttlMs: number;
  /** Whether storing is allowed; when not, everything stays in memory and IndexedDB is never opened. */
  persistent: boolean;
  /** Told once when IndexedDB is missing or fails; memory alone is used from then on. It must not throw. */
  onStorageProblem?: (message: string) => void;
}

/** Remembers which search led to each objectID, so that a later page can attribute a conversion to it. Never throws, never rejects. */
export interface QueryIdMemory {
  /**
   * Recorded in memory at once and written to IndexedDB in a later task, so that a click does no
   * IndexedDB work of its own; `handOff` carries the change to the next page if this one goes first.
   */
  remember(objectID: string, query: RememberedQuery): void;
  /**
   * The queryID remembered for the object in this index, unless it is `ttlMs` old at `now`.
   * Synchronous, from memory: what earlier pages stored is there once `loaded` resolves.
   * `index` is undefined for an object without one, whose event is refused for that anyway.
   */
  recall(objectID: string, index: string | undefined, now: number): string | undefined;
  /**
   * Resolves once the first `prune` has loaded the stored entries (at once where nothing may be
   * stored then), or once `clear` left none: not at creation, since consent may come before the prune.
   */
  loaded: Promise<void>;
  /** Resolves once the change is committed (at once where nothing may be stored), as `remember` writes it. */
  forget(objectIDs: string[]): Promise<void>;
  /** Removes everything, also what earlier pages stored. */
  clear(): Promise<void>;
  /**
   * The page is going away: what is not committed yet goes to this tab's next page, since
   * IndexedDB aborts the transactions of a page that is unloaded. Called on every exit, also when
   * the page is only hidden; each call replaces the last one's hand-off.
   */
  handOff(): void;
  /** `true` also writes what was remembered, or forgotten, in memory so far. */
  setPersistent(persistent: boolean): void;
  /**
   * Removes expired entries and all but the `KEPT_ENTRIES` newest, and loads the rest into memory, so
   * that a conversion reads them without waiting. Scans the whole store: call it once on start.
   */
  prune(now: number): Promise<void>;
}

// Also the sessionStorage key of the hand-off.
const DB_NAME = 'querytrail-query-ids';
/** How many of the newest entries a prune keeps. */
const KEPT_ENTRIES = 5000;

/** An object's change: remembered (an entry) or forgotten (null). */
type Change = ChangeOf<RememberedQuery>;

// Stored entries may come from another version of the script: one without a string queryID counts as expired.
const isFresh = (entry: RememberedQuery | null | undefined, now: number, ttlMs: number): entry is RememberedQuery =>
  typeof entry?.queryID === 'string' && now - entry.at < ttlMs;

/**
 * Deletes from the store the entries expired at `now` and all but the `KEPT_ENTRIES` newest,
 * and loads the others into `memory`, where what this page remembered or forgot meanwhile wins
 * over what earlier pages stored. Reading and deleting in one transaction makes an entry
 * remembered meanwhile wait for the prune, instead of being deleted on the strength of an older
 * read. The cap is enforced here only, once per page start: in between, the store outgrows it by
 * one page's clicks at most.
 */
function pruneStore(objectStore: IDBObjectStore, now: number, ttlMs: number, memory: Map<string, RememberedQuery | null>) {
  // Only this module writes the store, and its keys are objectIDs.
  const keys = objectStore.getAllKeys() as IDBRequest<string[]>;
  const values: IDBRequest<(RememberedQuery | undefined)[]> = objectStore.getAll();
  values.onsuccess = () => {
    const fresh: [key: string, entry: RememberedQuery][] = [];
    keys.result.forEach((key, i) => {
      const entry = values.result[i];
      if (isFresh(entry, now, ttlMs)) fresh.push([key, entry]);
      else objectStore.delete(key);
    });
    fresh.sort(([, a], [, b]) => b.at - a.at);
    fresh.forEach(([key, entry], rank) => {
      if (rank >= KEPT_ENTRIES) objectStore.delete(key);
      else if (!memory.has(key)) memory.set(key, entry);
    });
  };
}

export function createQueryIdMemory({ ttlMs, persistent, onStorageProblem }: QueryIdMemoryOptions): QueryIdMemory {
  // `null` marks an object forgotten on this page: it is deleted from IndexedDB once storing
  // is allowed, so that an entry stored by an earlier page cannot come back with consent.
  const inMemory = new Map<string, RememberedQuery | null>();
  // Opened on first persistent use, so that a page without consent never opens IndexedDB.
  const store = safeStore(DB_NAME, onStorageProblem);
  // Nothing is written where storing is not allowed (yet).
  const write: Write = async (change, requestsMade) => (persistent ? store.run(change, requestsMade) : undefined);
  const pending = createWriteBatches<RememberedQuery>(write);
  // Run again on the store once storing is allowed: where consent is given after start on every
  // page, the store would otherwise never be pruned.
  let prunedAt: number | undefined;
  let markLoaded = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));

  /** Remembers or forgets objects, in memory at once; resolves once the change is committed. */
  const update = async (changes: Change[]) => {
    for (const [objectID, query] of changes) inMemory.set(objectID, query);
    pending.add(changes);
    if (persistent) await pending.writeSoon();
  };

  const prune = (now: number) => {
    prunedAt = now;
    // Takes over what the tab's previous page could not commit before it went away.
    if (persistent) takeHandOff(DB_NAME, update);
    return write((objectStore) => pruneStore(objectStore, now, ttlMs, inMemory)).then(markLoaded);
  };

  return {
    remember: (objectID, query) => void update([[objectID, query]]),
    recall(objectID, index, now) {
      const entry = inMemory.get(objectID);
      return isFresh(entry, now, ttlMs) && entry.index === index ? entry.queryID : undefined;
    },
    loaded,
    forget: (objectIDs) => update(objectIDs.map((objectID) => [objectID, null])),
    // Replaced on every exit: a hand-off made while the page was hidden would otherwise outlive
    // the changes the page committed once it was back, and the next page would undo them.
    handOff() {
      if (persistent) writeHandOff(DB_NAME, [...pending.uncommitted]);
    },
    clear() {
      // A hand-off no page took over (none may without consent) is stored data too.
      writeHandOff(DB_NAME, []);
      inMemory.clear();
      pending.clear();
      // Nothing stored is left to load (an opt-out at start, when no prune runs).
      markLoaded();
      return store.clear();
    },
    setPersistent(next) {
      const starting = next && !persistent;
      persistent = next;
      if (!starting) return;
      // Everything changed in memory so far is unwritten: what prune loaded is stored already.
      void update([]);
      if (prunedAt !== undefined) void prune(prunedAt);
    },
    prune,
  };
}
