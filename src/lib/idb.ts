import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

export interface SafeStore {
  /**
   * Runs the operation in a readwrite transaction of the database's one store, opening it
   * (at once, in the caller's task) on first use. A failure, thrown or rejected, switches the
   * store off for the page: `onProblem` is told once, and this and later calls resolve with `undefined`.
   */
  run<T>(operation: (objectStore: IDBObjectStore) => Promise<T>): Promise<T | undefined>;
  /**
   * Removes everything stored. With a connection of this page's own, a deletion of the database
   * would wait for the page to go; without one, opening the database to clear it would create it.
   */
  clear(): Promise<void>;
}

/** One idb-keyval store per database, that never throws and never rejects. */
export function safeStore(dbName: string, onProblem: ((message: string) => void) | undefined): SafeStore {
  let store: UseStore | undefined;
  let works = true;

  const safely = async <T>(operation: () => Promise<T>): Promise<T | undefined> => {
    try {
      return works ? await operation() : undefined;
    } catch (error) {
      if (works) onProblem?.(`IndexedDB failed, using memory: ${error}`);
      works = false;
    }
  };

  return {
    run: (operation) => safely(() => (store ??= createStore(dbName, 'entries'))('readwrite', operation)),
    clear: async () => {
      // Another tab's connection holds a deletion back (queued, so the promise waits) until that tab lets go.
      await safely(() =>
        store ? store('readwrite', (objectStore) => promisifyRequest(objectStore.clear())) : promisifyRequest(indexedDB.deleteDatabase(dbName)),
      );
    },
  };
}
