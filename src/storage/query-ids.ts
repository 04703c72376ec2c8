import { safeStore } from '../lib/idb';

/** The search that led the user to an object; `at` is when, in ms since the epoch. */
export interface RememberedQuery {
  index: string;
  queryID: string;
  at: number;
}

export interface QueryIdMemoryOptions {
  /** How long a remembered queryID stays usable, in ms. */
  ttlMs: number;
  /** How many of the newest entries a prune keeps; 5,000 unless given. */
  cap?: number;
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
  /** Resolves once the first `prune` has loaded the stored entries (at once where nothing may be stored). */
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
   * Removes expired entries and all but the `cap` newest, and loads the rest into memory, so
   * that a conversion reads them without waiting. Scans the whole store: call it once on start.
   */
  prune(now: number): Promise<void>;
}

// Also the sessionStorage key of the hand-off.
const DB_NAME = 'querytrail-query-ids';

/** An object's change: remembered (an entry) or forgotten (null, which JSON keeps for the hand-off). */
type Change = [objectID: string, query: RememberedQuery | null];

export function createQueryIdMemory({ ttlMs, cap = 5000, persistent, onStorageProblem }: QueryIdMemoryOptions): QueryIdMemory {
  // `null` marks an object forgotten on this page: it is deleted from IndexedDB once storing
  // is allowed, so that an entry stored by an earlier page cannot come back with consent.
  const inMemory = new Map<string, RememberedQuery | null>();
  // Opened on first persistent use, so that a page without consent never opens IndexedDB.
  const store = safeStore(DB_NAME, onStorageProblem);
  // Run again on the store once storing is allowed: where consent is given after start on every
  // page, the store would otherwise never be pruned.
  let prunedAt: number | undefined;
  // Changed on this page and not committed yet (what `handOff` passes on), and of those, the ones
  // no write has taken yet: each write takes only these, or a slow store would get every change again.
  const uncommitted = new Map<string, RememberedQuery | null>();
  const unwritten = new Map<string, RememberedQuery | null>();
  // The write waiting for its task: changes made until then join it.
  let nextWrite: Promise<void> | undefined;

  // Stored entries may come from another version of the script: one without a string queryID counts as expired.
  const isFresh = (entry: RememberedQuery | null | undefined, now: number): entry is RememberedQuery =>
    typeof entry?.queryID == 'string' && now - entry.at < ttlMs;

  /** Runs the changes in one readwrite transaction; resolves with what they return once committed. */
  const write = async <T>(change: (objectStore: IDBObjectStore) => T, requestsMade?: boolean) => (persistent ? store.run(change, requestsMade) : undefined);

  /** Writes the changes no write has taken yet, in one transaction; resolves once they are committed. */
  const commit = () => {
    nextWrite = undefined;
    const changes = [...unwritten];
    unwritten.clear();
    return write((objectStore) => {
      for (const [objectID, query] of changes) {
        if (query) objectStore.put(query, objectID);
        else objectStore.delete(objectID);
      }
      return true;
    }, true).then((committed) => {
      for (const [objectID, query] of changes) {
        if (committed && uncommitted.get(objectID) === query) uncommitted.delete(objectID);
      }
    });
  };

  /**
   * Remembers or forgets objects, in memory at once. IndexedDB waits for a later task, so that a
   * click pays for none of it, and the changes made until then (a landing page remembers each of
   * its objects) share one transaction. Resolves once they are committed.
   */
  const update = async (changes: Change[]) => {
    for (const [objectID, query] of changes) {
      inMemory.set(objectID, query);
      uncommitted.set(objectID, query);
      unwritten.set(objectID, query);
    }
    if (persistent) await (nextWrite ??= new Promise((resolve) => setTimeout(resolve)).then(commit));
  };

  let markLoaded = () => {};
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));

  const prune = (now: number) => {
    prunedAt = now;
    // Takes over what the tab's previous page could not commit before it went away.
    if (persistent) {
      try {
        const handed: Change[] = JSON.parse(sessionStorage.getItem(DB_NAME) ?? '[]');
        sessionStorage.removeItem(DB_NAME);
        if (handed.length) void update(handed);
      } catch {
        // No session storage (or a malformed entry): the handed-off changes are lost, nothing else.
      }
    }
    // Reading and deleting in one transaction makes an entry remembered meanwhile wait for the
    // prune, instead of being deleted on the strength of an older read. The cap is enforced here
    // only, once per page start: in between, the store outgrows it by one page's clicks at most.
    return write((objectStore) => {
      // Only this module writes the store, and its keys are objectIDs.
      const keys = objectStore.getAllKeys() as IDBRequest<string[]>;
      const values: IDBRequest<(RememberedQuery | undefined)[]> = objectStore.getAll();
      values.onsuccess = () => {
        const fresh: [key: string, entry: RememberedQuery][] = [];
        keys.result.forEach((key, i) => {
          const entry = values.result[i];
          if (isFresh(entry, now)) fresh.push([key, entry]);
          else objectStore.delete(key);
        });
        // Newest first: those past the cap go; the rest is loaded into memory, where what this
        // page remembered or forgot meanwhile wins.
        fresh.sort(([, a], [, b]) => b.at - a.at);
        fresh.forEach(([key, entry], rank) => {
          if (rank >= cap) objectStore.delete(key);
          else if (!inMemory.has(key)) inMemory.set(key, entry);
        });
      };
    }).then(markLoaded);
  };

  if (!persistent) markLoaded();

  return {
    remember(objectID, query) {
      void update([[objectID, query]]);
    },

    recall(objectID, index, now) {
      const entry = inMemory.get(objectID);
      return isFresh(entry, now) && entry.index == index ? entry.queryID : undefined;
    },

    loaded,

    forget(objectIDs) {
      return update(objectIDs.map((objectID) => [objectID, null]));
    },

    handOff() {
      try {
        // Replaced on every exit: a hand-off made while the page was hidden would otherwise outlive
        // the changes the page committed once it was back, and the next page would undo them.
        if (!persistent) return;
        sessionStorage.removeItem(DB_NAME);
        if (uncommitted.size) sessionStorage.setItem(DB_NAME, JSON.stringify([...uncommitted]));
      } catch {
        // Session storage full or blocked: these changes stay with this page.
      }
    },

    clear() {
      // A hand-off no page took over (none may without consent) is stored data too.
      try {
        sessionStorage.removeItem(DB_NAME);
      } catch {
        // Blocked session storage: nothing was handed off either.
      }
      inMemory.clear();
      uncommitted.clear();
      unwritten.clear();
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
