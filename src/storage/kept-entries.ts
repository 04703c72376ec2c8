import { safeStore } from '../lib/idb';
import { takeHandOff, writeHandOff } from './hand-off';
import { createWriteBatches, type Change as ChangeOf, type Write } from './write-batches';

/** What is kept: anything stamped with when it was kept, in ms since the epoch. */
export interface Entry {
  at: number;
}

export interface KeptEntriesOptions {
  /** How long an entry stays usable, in ms. */
  ttlMs: number;
  /** Whether storing is allowed; when not, everything stays in memory and IndexedDB is never opened. */
  persistent: boolean;
  /** Told once when IndexedDB is missing or fails; memory alone is used from then on. It must not throw. */
  onStorageProblem?: (message: string) => void;
}

/**
 * Entries kept across pages for a time, by key, in one IndexedDB database (in memory where
 * storing is not allowed): the remembered queryIDs, the order IDs sent. Never throws, never rejects.
 */
export interface KeptEntries<E extends Entry> {
  /**
   * Recorded in memory at once and written to IndexedDB in a later task, so that a click does no
   * IndexedDB work of its own; `handOff` carries the change to the next page if this one goes first.
   */
  remember(key: string, entry: E): void;
  /**
   * The entry kept under `key`, unless it is `ttlMs` old at `now`. Synchronous, from memory: what
   * earlier pages stored is there once `loaded` resolves.
   */
  recall(key: string, now: number): E | undefined;
  /**
   * Resolves once the first `prune` has loaded the stored entries (at once where nothing may be
   * stored then), or once `clear` left none: not at creation, since consent may come before the prune.
   */
  loaded: Promise<void>;
  /** Resolves once the change is committed (at once where nothing may be stored), as `remember` writes it. */
  forget(keys: string[]): Promise<void>;
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

/** How many of the newest entries a prune keeps. */
const KEPT_ENTRIES = 5000;

/**
 * Deletes from the store the entries expired at `now` and all but the `KEPT_ENTRIES` newest,
 * and loads the others into `memory`, where what this page remembered or forgot meanwhile wins
 * over what earlier pages stored. Reading and deleting in one transaction makes an entry
 * remembered meanwhile wait for the prune, instead of being deleted on the strength of an older
 * read. The cap is enforced here only, once per page start: in between, the store outgrows it by
 * one page's clicks at most.
 */
function pruneStore<E extends Entry>(objectStore: IDBObjectStore, isFresh: (entry: E | undefined) => entry is E, memory: Map<string, E | null>) {
  // Only this module writes the store, and its keys are strings.
  const keys = objectStore.getAllKeys() as IDBRequest<string[]>;
  const values: IDBRequest<(E | undefined)[]> = objectStore.getAll();
  values.onsuccess = () => {
    const fresh: [key: string, entry: E][] = [];
    keys.result.forEach((key, i) => {
      const entry = values.result[i];
      if (isFresh(entry)) fresh.push([key, entry]);
      else objectStore.delete(key);
    });
    fresh.sort(([, a], [, b]) => b.at - a.at);
    fresh.forEach(([key, entry], rank) => {
      if (rank >= KEPT_ENTRIES) objectStore.delete(key);
      else if (!memory.has(key)) memory.set(key, entry);
    });
  };
}

/**
 * `dbName` is also the sessionStorage key of the hand-off. Stored entries may come from another
 * version of the script: one `isEntry` refuses counts as expired.
 */
export function keepEntries<E extends Entry>(
  dbName: string,
  isEntry: (value: E | null | undefined) => boolean,
  { ttlMs, persistent, onStorageProblem }: KeptEntriesOptions,
): KeptEntries<E> {
  // `null` marks a key forgotten on this page: it is deleted from IndexedDB once storing
  // is allowed, so that an entry stored by an earlier page cannot come back with consent.
  const inMemory = new Map<string, E | null>();
  // Opened on first persistent use, so that a page without consent never opens IndexedDB.
  const store = safeStore(dbName, onStorageProblem);
  // Nothing is written where storing is not allowed (yet).
  const write: Write = async (change, requestsMade) => (persistent ? store.run(change, requestsMade) : undefined);
  const pending = createWriteBatches<E>(write);
  // Run again on the store once storing is allowed: where consent is given after start on every
  // page, the store would otherwise never be pruned.
  let prunedAt: number | undefined;
  let markLoaded = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  const isFreshAt =
    (now: number) =>
    (entry: E | null | undefined): entry is E =>
      isEntry(entry) && now - (entry as E).at < ttlMs;

  /** Remembers or forgets entries, in memory at once; resolves once the change is committed. */
  const update = async (changes: ChangeOf<E>[]) => {
    for (const [key, entry] of changes) inMemory.set(key, entry);
    pending.add(changes);
    if (persistent) await pending.writeSoon();
  };

  const prune = (now: number) => {
    prunedAt = now;
    // Takes over what the tab's previous page could not commit before it went away.
    if (persistent) takeHandOff(dbName, update);
    return write((objectStore) => pruneStore(objectStore, isFreshAt(now), inMemory)).then(markLoaded);
  };

  return {
    remember: (key, entry) => void update([[key, entry]]),
    recall(key, now) {
      const entry = inMemory.get(key);
      return isFreshAt(now)(entry) ? entry : undefined;
    },
    loaded,
    forget: (keys) => update(keys.map((key) => [key, null])),
    // Replaced on every exit: a hand-off made while the page was hidden would otherwise outlive
    // the changes the page committed once it was back, and the next page would undo them.
    handOff() {
      if (persistent) writeHandOff(dbName, [...pending.uncommitted]);
    },
    clear() {
      // A hand-off no page took over (none may without consent) is stored data too.
      writeHandOff(dbName, []);
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
