import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

/** The one object store of each database (read by the markup audit too). */
export const STORE_NAME = 'entries';

export interface SafeStore {
  /**
   * Runs `change` in a readwrite transaction of the database's one store, opening it (at once, in
   * the caller's task) on first use, and resolves with what `change` returned once the transaction
   * has committed. A failure, thrown or rejected, switches the store off for the page: `onProblem`
   * is told once, and this and later calls resolve with `undefined`.
   *
   * `requestsMade`: `change` makes every request of the transaction before it returns, so the
   * transaction is committed at once instead of after this page's next tasks. A page frozen
   * into the back/forward cache meanwhile would hold it open, and Chromium evicts a cached page
   * whose transaction another page (the next one, starting QueryTrail) has to wait for.
   */
  run<T>(change: (objectStore: IDBObjectStore) => T | Promise<T>, requestsMade?: boolean): Promise<T | undefined>;
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
      return undefined;
    }
  };

  const run: SafeStore['run'] = (change, requestsMade) =>
    safely(() => {
      store ??= createStore(dbName, STORE_NAME);
      return store('readwrite', (objectStore) => {
        const result = change(objectStore);
        if (requestsMade) objectStore.transaction.commit();
        // Both awaited together: a failed request aborts the transaction, and neither rejection goes unhandled.
        return Promise.all([result, promisifyRequest(objectStore.transaction)]).then(([value]) => value);
      });
    });

  return {
    run,
    clear: async () => {
      // Another tab's connection holds a deletion back (queued, so the promise waits) until that tab lets go.
      await (store ? run((objectStore) => objectStore.clear(), true) : safely(() => promisifyRequest(indexedDB.deleteDatabase(dbName))));
    },
  };
}
