import { clear as clearStore, delMany, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { createSafeStore, deleteDatabase } from '../lib/idb';
import { z } from '../lib/zod';

/** The search that led the user to an object; `at` is when, in ms since the epoch. */
export interface RememberedQuery {
  index: string;
  queryID: string;
  at: number;
}

export interface QueryIdMemoryOptions {
  /** How long a remembered queryID stays usable, in ms. */
  ttlMs: number;
  /** How many of the newest entries are kept; 5,000 unless given. */
  cap?: number;
  /** Whether storing is allowed; when not, everything stays in memory and IndexedDB is never opened. */
  persistent: boolean;
  /** Told once when IndexedDB is missing or fails; memory alone is used from then on. */
  onStorageProblem?: (message: string) => void;
}

/** Remembers which search led to each objectID, so that a later page can attribute a conversion to it. Never throws, never rejects. */
export interface QueryIdMemory {
  /** Starts the IndexedDB write at once, in the caller's task, so that it survives a navigation that follows. */
  remember(objectID: string, query: RememberedQuery): void;
  /** The queryID remembered for the object in this index, unless it is `ttlMs` old at `now`. */
  recall(objectID: string, index: string, now: number): Promise<string | undefined>;
  forget(objectIDs: string[]): Promise<void>;
  /** Removes everything, also what earlier pages stored. */
  clear(): Promise<void>;
  /** `true` also writes what was remembered in memory so far. */
  setPersistent(persistent: boolean): void;
  /** Removes expired entries and all but the `cap` newest. Scans the whole store: call it on start, off the critical path. */
  prune(now: number): Promise<void>;
}

const DB_NAME = 'querytrail-query-ids';
const STORE_NAME = 'entries';
const DEFAULT_CAP = 5000;
// Some Safari versions shipped an `indexedDB.open` that never answers; a conversion must not wait for it for ever.
const RECALL_TIMEOUT_MS = 1000;

const rememberedQuery = z.object({ index: z.string(), queryID: z.string(), at: z.number() });

const isFresh = (entry: RememberedQuery, now: number, ttlMs: number) => now - entry.at < ttlMs;

/** Keys of the entries a prune deletes: unreadable and expired ones, and all but the `cap` newest of the rest. */
function keysToPrune<K>(entries: Iterable<[K, unknown]>, now: number, ttlMs: number, cap: number): K[] {
  const stale: K[] = [];
  const fresh: [K, number][] = [];
  for (const [key, value] of entries) {
    const parsed = rememberedQuery.safeParse(value);
    if (parsed.success && isFresh(parsed.data, now, ttlMs)) fresh.push([key, parsed.data.at]);
    else stale.push(key);
  }
  fresh.sort((a, b) => b[1] - a[1]);
  return stale.concat(fresh.slice(cap).map(([key]) => key));
}

/**
 * Reads and deletes in one transaction, so that an entry remembered meanwhile waits for the
 * prune instead of being deleted on the strength of an older read. Resolves with the entries left.
 */
function pruneObjectStore(objectStore: IDBObjectStore, now: number, ttlMs: number, cap: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const keys = objectStore.getAllKeys();
    const values = objectStore.getAll();
    values.onsuccess = () => {
      const stale = keysToPrune(keys.result.map((key, i): [IDBValidKey, unknown] => [key, values.result[i]]), now, ttlMs, cap);
      for (const key of stale) objectStore.delete(key);
      resolve(promisifyRequest(objectStore.transaction).then(() => keys.result.length - stale.length));
    };
    values.onerror = () => reject(values.error);
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createQueryIdMemory({ ttlMs, cap = DEFAULT_CAP, persistent, onStorageProblem }: QueryIdMemoryOptions): QueryIdMemory {
  // Ordered from the oldest remembered to the newest, which makes capping it cheap.
  const inMemory = new Map<string, RememberedQuery>();
  // Forgotten while storing was not allowed: deleted from IndexedDB once it is.
  const forgottenInMemory = new Set<string>();
  // Created on first persistent use, so that a page without consent never opens IndexedDB.
  let store: UseStore | undefined;
  let storageWorks = true;
  // An upper bound of the stored entries, known after a prune (unknown while one runs) and raised
  // by each write: the store is scanned again only once it may have outgrown the cap by a tenth,
  // not on every click.
  let storedAtMost: number | undefined;
  // A prune asked for while storing was not allowed, run on the store once it is.
  let owedPruneAt: number | undefined;

  const reportProblem = (error: unknown) => {
    if (!storageWorks) return;
    storageWorks = false;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    try {
      onStorageProblem?.(`IndexedDB is unusable (${reason}); remembered queryIDs are kept in memory for this page only`);
    } catch {
      // A failing logger must not turn a storage problem into an error in the host page.
    }
  };

  /** Runs the operation when storing is allowed and works; its failure switches to memory only. */
  const withStore = async <T>(operation: (target: UseStore) => Promise<T>): Promise<T | undefined> => {
    if (!persistent || !storageWorks) return undefined;
    try {
      return await operation((store ??= createSafeStore(DB_NAME, STORE_NAME)));
    } catch (error) {
      reportProblem(error);
      return undefined;
    }
  };

  const prune = async (now: number) => {
    for (const key of keysToPrune(inMemory, now, ttlMs, cap)) inMemory.delete(key);
    owedPruneAt = persistent ? undefined : now;
    storedAtMost = undefined;
    storedAtMost = await withStore((target) => target('readwrite', (objectStore) => pruneObjectStore(objectStore, now, ttlMs, cap)));
  };

  const countWrite = (now: number) => {
    if (!persistent || storedAtMost === undefined) return;
    storedAtMost += 1;
    if (storedAtMost > cap + Math.ceil(cap / 10)) void prune(now);
  };

  return {
    remember(objectID, { index, queryID, at }) {
      const entry = { index, queryID, at };
      inMemory.delete(objectID);
      inMemory.set(objectID, entry);
      const oldest = inMemory.keys().next().value;
      if (inMemory.size > cap && oldest !== undefined) inMemory.delete(oldest);
      forgottenInMemory.delete(objectID);
      void withStore((target) => set(objectID, entry, target));
      countWrite(at);
    },

    async recall(objectID, index, now) {
      const entry = inMemory.get(objectID) ?? (await withStore((target) => withTimeout(get(objectID, target), RECALL_TIMEOUT_MS)));
      const parsed = rememberedQuery.safeParse(entry);
      return parsed.success && parsed.data.index === index && isFresh(parsed.data, now, ttlMs) ? parsed.data.queryID : undefined;
    },

    async forget(objectIDs) {
      for (const objectID of objectIDs) {
        inMemory.delete(objectID);
        if (!persistent) forgottenInMemory.add(objectID);
      }
      await withStore((target) => delMany(objectIDs, target));
    },

    async clear() {
      inMemory.clear();
      forgottenInMemory.clear();
      try {
        // Without a connection of this page's own, deleting the database reaches what earlier pages stored without creating it.
        await (store ? clearStore(store) : deleteDatabase(DB_NAME));
      } catch (error) {
        reportProblem(error);
      }
    },

    setPersistent(next) {
      const starting = next && !persistent;
      persistent = next;
      if (!starting) return;
      const forgotten = [...forgottenInMemory];
      const remembered = [...inMemory];
      forgottenInMemory.clear();
      void withStore((target) =>
        target('readwrite', (objectStore) => {
          for (const objectID of forgotten) objectStore.delete(objectID);
          for (const [objectID, entry] of remembered) objectStore.put(entry, objectID);
          return promisifyRequest(objectStore.transaction);
        }),
      );
      if (owedPruneAt !== undefined) void prune(owedPruneAt);
    },

    prune,
  };
}
