import { createStore, type UseStore } from 'idb-keyval';

/**
 * idb-keyval's `createStore`, except that every failure arrives as a rejected promise: a page
 * without IndexedDB, or an `indexedDB.open` that throws synchronously (as some private modes
 * do), would otherwise throw straight into the caller. Nothing is opened before the first use.
 */
export function createSafeStore(dbName: string, storeName: string): UseStore {
  let store: UseStore | undefined;
  return (txMode, callback) => {
    try {
      if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available');
      store ??= createStore(dbName, storeName);
      return store(txMode, callback);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Deletes a database without ever creating it. Another tab's open connection holds the
 * deletion back until that tab lets go; it is queued by then, so that counts as done.
 */
export function deleteDatabase(dbName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return resolve();
    const request = indexedDB.deleteDatabase(dbName);
    request.onsuccess = request.onblocked = () => resolve();
    request.onerror = () => reject(request.error);
  });
}
