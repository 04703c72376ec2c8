import type { Page } from 'playwright-core';

// What a page's origin holds in its storage, read in the page: how the e2e tests check consent.

export interface StoredData {
  /** Database name → number of records over all its object stores. */
  indexedDB: Record<string, number>;
  localStorage: number;
  sessionStorage: number;
}

/** Everything the origin holds in page storage, read in the page. */
export function storedData(page: Page): Promise<StoredData> {
  return page.evaluate(async () => {
    const countRecords = (name: string) =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const database = request.result;
          const storeNames = Array.from(database.objectStoreNames);
          if (storeNames.length === 0) {
            database.close();
            return resolve(0);
          }
          const transaction = database.transaction(storeNames, 'readonly');
          const counts = storeNames.map((storeName) => transaction.objectStore(storeName).count());
          transaction.oncomplete = () => {
            database.close();
            resolve(counts.reduce((sum, count) => sum + count.result, 0));
          };
          transaction.onerror = () => reject(transaction.error);
        };
      });
    const names = (await indexedDB.databases()).flatMap(({ name }) => (name ? [name] : []));
    const records = await Promise.all(names.map(async (name) => [name, await countRecords(name)] as const));
    return { indexedDB: Object.fromEntries(records), localStorage: localStorage.length, sessionStorage: sessionStorage.length };
  });
}

export const NOTHING_STORED: StoredData = { indexedDB: {}, localStorage: 0, sessionStorage: 0 };

/** Databases that exist but hold nothing are as good as none for privacy. */
export function withoutEmptyDatabases(data: StoredData): StoredData {
  return { ...data, indexedDB: Object.fromEntries(Object.entries(data.indexedDB).filter(([, records]) => records > 0)) };
}
