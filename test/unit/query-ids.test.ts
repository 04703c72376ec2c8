import { IDBDatabase as FakeDatabase, IDBFactory, IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';
import { createStore, entries, keys, setMany, type UseStore } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { createQueryIdMemory, type RememberedQuery } from '../../src/storage/query-ids';

const DB_NAME = 'querytrail-query-ids';
const STORE_NAME = 'entries';
const HOUR = 3_600_000;
// Far in the past on purpose: an implementation reading the clock instead of `now` would find everything expired.
const T0 = 1_000_000;
const queryID = (n: number) => n.toString(16).padStart(32, '0');
const query = (n: number, at = T0, index = 'products'): RememberedQuery => ({ index, queryID: queryID(n), at });

let factory: IDBFactory;

beforeEach(() => {
  // A fresh factory per test: nothing stored leaks from one test into another.
  factory = new IDBFactory();
  vi.stubGlobal('indexedDB', factory);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** Reads or writes the store as another page would, closing the connection afterwards as a page that goes away does. */
async function directly<T>(operation: (store: UseStore) => Promise<T>): Promise<T> {
  const store = createStore(DB_NAME, STORE_NAME);
  try {
    return await operation(store);
  } finally {
    (await store('readonly', (objectStore) => objectStore.transaction.db)).close();
  }
}

const storedKeys = () => directly((store) => keys<string>(store));
/** Entries as an earlier page (or another version of the script) stored them. */
const storeEntries = (entries: [string, unknown][]) => directly((store) => setMany(entries, store));

/** A later page: it loads what earlier pages stored when it starts, as QueryTrail does. */
async function laterPageAt(now: number) {
  const page = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
  await page.prune(now);
  return page;
}

describe('remember and recall', () => {
  it('recalls the queryID in the same index only', async () => {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    memory.remember('42', query(1));

    expect(memory.recall('42', 'products', T0 + 1)).toBe(queryID(1));
    expect(memory.recall('42', 'articles', T0 + 1)).toBeUndefined();
    expect(memory.recall('43', 'products', T0 + 1)).toBeUndefined();
  });

  it('lets a later page recall what an earlier page remembered', async () => {
    const earlierPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    earlierPage.remember('42', query(1));
    earlierPage.remember('42', query(2, T0 + 5));

    await vi.waitFor(async () => expect((await laterPageAt(T0 + 10)).recall('42', 'products', T0 + 10)).toBe(queryID(2)));
    expect((await laterPageAt(T0 + 10)).recall('42', 'articles', T0 + 10)).toBeUndefined();
  });

  it('never returns an expired queryID, measured at the given time, in this page or a later one', async () => {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    memory.remember('42', query(1));

    expect(memory.recall('42', 'products', T0 + HOUR - 1)).toBe(queryID(1));
    expect(memory.recall('42', 'products', T0 + HOUR)).toBeUndefined();

    await vi.waitFor(async () => expect((await laterPageAt(T0 + HOUR - 1)).recall('42', 'products', T0 + HOUR - 1)).toBe(queryID(1)));
    expect((await laterPageAt(T0 + HOUR - 1)).recall('42', 'products', T0 + HOUR)).toBeUndefined();
  });

  it('does no IndexedDB work in the click’s own task, and stores the change in a later one', async () => {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await memory.prune(T0);
    const transaction = vi.spyOn(FakeDatabase.prototype, 'transaction');
    // Queued before the click, so that it runs right after the click's task and its microtasks.
    const nextTask = new Promise((resolve) => setTimeout(resolve, 0));

    memory.remember('42', query(1));
    expect(memory.recall('42', 'products', T0)).toBe(queryID(1));
    await nextTask;
    expect(transaction).not.toHaveBeenCalled();

    await vi.waitFor(async () => expect((await laterPageAt(T0)).recall('42', 'products', T0)).toBe(queryID(1)));
  });

  it('writes what one task changed in one transaction, where the last change of each object wins', async () => {
    const landingPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await landingPage.prune(T0);
    const transaction = vi.spyOn(FakeDatabase.prototype, 'transaction');

    for (let i = 0; i < 20; i++) landingPage.remember(`object-${i}`, query(i));
    landingPage.remember('object-1', query(99));
    await landingPage.forget(['object-0']);

    expect(transaction.mock.calls.filter(([, mode]) => mode === 'readwrite')).toHaveLength(1);
    const laterPage = await laterPageAt(T0);
    expect(laterPage.recall('object-0', 'products', T0)).toBeUndefined();
    expect(laterPage.recall('object-1', 'products', T0)).toBe(queryID(99));
    expect(laterPage.recall('object-19', 'products', T0)).toBe(queryID(19));
  });

  it('writes each click once, however many clicks come while earlier writes are still under way', async () => {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await memory.prune(T0);
    const put = vi.spyOn(FakeObjectStore.prototype, 'put');

    // One click per task, each write started before the previous one has committed.
    for (let i = 0; i < 50; i++) {
      memory.remember(`object-${i}`, query(i));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await memory.forget([]);

    expect(put).toHaveBeenCalledTimes(50);
    expect((await laterPageAt(T0)).recall('object-49', 'products', T0)).toBe(queryID(49));
  });
});

describe('prune', () => {
  it('deletes expired entries from IndexedDB', async () => {
    await storeEntries([
      ['old', query(1)],
      ['new', query(2, T0 + HOUR)],
    ]);
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });

    await memory.prune(T0 + HOUR + 1);

    expect(await storedKeys()).toEqual(['new']);
  });

  it('keeps the 5,000 newest entries and drops the oldest', async () => {
    const seeded = Array.from({ length: 5_010 }, (_, i): [string, RememberedQuery] => [`object-${i}`, query(i, T0 + i)]);
    await storeEntries(seeded);
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });

    await memory.prune(T0 + 5_010);

    const kept = new Set(await storedKeys());
    expect(kept.size).toBe(5_000);
    for (let i = 0; i < 10; i++) expect(kept.has(`object-${i}`)).toBe(false);
    expect(kept.has('object-10')).toBe(true);
    expect(kept.has('object-5009')).toBe(true);
    expect(memory.recall('object-0', 'products', T0 + 5_010)).toBeUndefined();
    expect(memory.recall('object-5009', 'products', T0 + 5_010)).toBe(queryID(5_009));
  });

  it('keeps an entry remembered while the prune runs, even where the prune deletes an expired one of the same object', async () => {
    await storeEntries([['42', query(1)]]);
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });

    const pruning = memory.prune(T0 + HOUR);
    memory.remember('42', query(2, T0 + HOUR));
    await pruning;

    await vi.waitFor(async () => expect((await laterPageAt(T0 + HOUR)).recall('42', 'products', T0 + HOUR)).toBe(queryID(2)));
  });

  it('treats stored values of another shape as expired, and deletes them', async () => {
    await storeEntries([
      ['numeric-query-id', { index: 'products', queryID: 7, at: T0 }],
      ['text', 'not an entry'],
      ['good', query(1)],
    ]);
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });

    expect(memory.recall('numeric-query-id', 'products', T0)).toBeUndefined();
    expect(memory.recall('text', 'products', T0)).toBeUndefined();
    await memory.prune(T0);

    expect(await storedKeys()).toEqual(['good']);
  });
});

describe('forget and clear', () => {
  it('forgets objects in this page and in IndexedDB', async () => {
    const earlierPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    earlierPage.remember('a', query(1));
    earlierPage.remember('b', query(2));
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['a', 'b']));

    const purchasePage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    purchasePage.remember('c', query(3));
    await purchasePage.forget(['a', 'c']);
    expect(purchasePage.recall('a', 'products', T0)).toBeUndefined();
    expect(purchasePage.recall('c', 'products', T0)).toBeUndefined();

    const laterPage = await laterPageAt(T0);
    expect(laterPage.recall('a', 'products', T0)).toBeUndefined();
    expect(laterPage.recall('c', 'products', T0)).toBeUndefined();
    expect(laterPage.recall('b', 'products', T0)).toBe(queryID(2));
  });

  it('clear removes everything from memory and IndexedDB, also once storing has stopped (opt-out)', async () => {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    memory.remember('a', query(1));
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['a']));

    memory.setPersistent(false);
    await memory.clear();

    expect(await directly((store) => entries(store))).toEqual([]);
    expect(memory.recall('a', 'products', T0)).toBeUndefined();
  });

  it('clear also drops changes not written yet', async () => {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await memory.prune(T0);

    memory.remember('a', query(1));
    await memory.clear();
    await memory.forget(['b']);

    expect(await storedKeys()).toEqual([]);
    expect(memory.recall('a', 'products', T0)).toBeUndefined();
  });

  it('clear without consent removes what earlier pages stored, without creating anything', async () => {
    await storeEntries([['a', query(1)]]);
    const open = vi.spyOn(factory, 'open');
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: false });

    await memory.clear();

    expect(open).not.toHaveBeenCalled();
    expect(await factory.databases()).toEqual([]);
  });
});

describe('consent', () => {
  it('opens no database at all while storing is not allowed', async () => {
    const open = vi.spyOn(factory, 'open');
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: false });

    memory.remember('a', query(1));
    expect(memory.recall('a', 'products', T0)).toBe(queryID(1));
    await memory.forget(['b']);
    await memory.prune(T0);
    await memory.clear();

    expect(open).not.toHaveBeenCalled();
    expect(await factory.databases()).toEqual([]);
  });

  it('writes what was remembered in memory once storing is allowed, and stops when it no longer is', async () => {
    await storeEntries([['forgotten', query(9)]]);
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: false });
    memory.remember('a', query(1));
    memory.remember('b', query(2));
    await memory.forget(['forgotten']);

    memory.setPersistent(true);
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['a', 'b']));

    memory.setPersistent(false);
    memory.remember('c', query(3));
    expect(memory.recall('c', 'products', T0)).toBe(queryID(3));
    expect(await storedKeys()).toEqual(['a', 'b']);
  });

  it('runs a prune asked for before consent once storing is allowed', async () => {
    await storeEntries([
      ['old', query(1)],
      ['new', query(2, T0 + HOUR)],
    ]);
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: false });
    await memory.prune(T0 + HOUR + 1);

    memory.setPersistent(true);

    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['new']));
  });
});

describe('when IndexedDB cannot be used', () => {
  async function expectWorkingInMemory(onStorageProblem: Mock<(message: string) => void>) {
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true, onStorageProblem });
    expect(() => memory.remember('a', query(1))).not.toThrow();
    expect(memory.recall('a', 'products', T0)).toBe(queryID(1));
    expect(memory.recall('b', 'products', T0)).toBeUndefined();
    memory.remember('b', query(2));
    expect(memory.recall('b', 'products', T0)).toBe(queryID(2));
    await expect(memory.forget(['a'])).resolves.toBeUndefined();
    expect(memory.recall('a', 'products', T0)).toBeUndefined();
    await expect(memory.prune(T0)).resolves.toBeUndefined();
    memory.setPersistent(false);
    memory.setPersistent(true);
    await expect(memory.clear()).resolves.toBeUndefined();
    expect(memory.recall('b', 'products', T0)).toBeUndefined();
    expect(onStorageProblem).toHaveBeenCalledTimes(1);
    return String(onStorageProblem.mock.calls[0]?.[0]);
  }

  it('works in memory when indexedDB.open throws, and says so once', async () => {
    vi.spyOn(factory, 'open').mockImplementation(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    });
    const message = await expectWorkingInMemory(vi.fn<(message: string) => void>());
    expect(message).toContain('SecurityError');
    expect(message).toContain('memory');
  });

  it('works in memory where there is no IndexedDB, and says so once', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const message = await expectWorkingInMemory(vi.fn<(message: string) => void>());
    expect(message).toContain('memory');
  });

  it('works in memory when a write fails', async () => {
    vi.spyOn(FakeObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    const onStorageProblem = vi.fn<(message: string) => void>();
    const memory = createQueryIdMemory({ ttlMs: HOUR, persistent: true, onStorageProblem });
    memory.remember('a', query(1));
    memory.remember('b', query(2));

    await vi.waitFor(() => expect(onStorageProblem).toHaveBeenCalledTimes(1));
    expect(onStorageProblem.mock.calls[0]?.[0]).toContain('QuotaExceededError');
    expect(memory.recall('b', 'products', T0)).toBe(queryID(2));
  });
});

describe('hand-off to the next page of the tab', () => {
  afterEach(() => sessionStorage.clear());

  it('carries what was not committed yet to the next page, which stores it', async () => {
    const clickPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await clickPage.prune(T0);
    clickPage.remember('42', query(1));
    clickPage.forget(['7']);
    // The page goes at once: its transaction is aborted with it, as a navigation does to it.
    clickPage.handOff();
    vi.stubGlobal('indexedDB', new IDBFactory());

    const nextPage = await laterPageAt(T0 + 10);
    expect(nextPage.recall('42', 'products', T0 + 10)).toBe(queryID(1));
    expect(sessionStorage.length).toBe(0);
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['42']));
  });

  it('carries a change the page had no time to write, and the next page adopts it', async () => {
    const clickPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await clickPage.prune(T0);
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    clickPage.remember('42', query(1));
    clickPage.handOff();
    // The page goes before its next task: the timers it set never run.
    vi.useRealTimers();
    expect(await storedKeys()).toEqual([]);

    const nextPage = await laterPageAt(T0 + 10);
    expect(nextPage.recall('42', 'products', T0 + 10)).toBe(queryID(1));
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['42']));
  });

  it('a hand-off made while the page was hidden goes once the page, back again, has committed later changes', async () => {
    const clickPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await clickPage.prune(T0);
    clickPage.remember('42', query(1));
    // Hidden (another tab in front) before the write: the change is handed off.
    clickPage.handOff();
    // Back again: the write commits, then a purchase forgets the object, and that commits too.
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['42']));
    await clickPage.forget(['42']);
    expect(await storedKeys()).toEqual([]);
    // The page is left with nothing uncommitted.
    clickPage.handOff();

    const nextPage = await laterPageAt(T0 + 10);
    expect(nextPage.recall('42', 'products', T0 + 10)).toBeUndefined();
    expect(await storedKeys()).toEqual([]);
  });

  it('clear removes a hand-off no page adopted (opt-out on a page without consent)', async () => {
    const clickPage = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    await clickPage.prune(T0);
    clickPage.remember('42', query(1));
    clickPage.handOff();
    vi.stubGlobal('indexedDB', new IDBFactory());

    const pageWithoutConsent = createQueryIdMemory({ ttlMs: HOUR, persistent: false });
    await pageWithoutConsent.prune(T0 + 10);
    await pageWithoutConsent.clear();
    expect(sessionStorage.length).toBe(0);
  });

  it('hands nothing off once the writes are committed, or without consent', async () => {
    const committed = createQueryIdMemory({ ttlMs: HOUR, persistent: true });
    committed.remember('42', query(1));
    await vi.waitFor(async () => expect(await storedKeys()).toEqual(['42']));
    committed.handOff();
    expect(sessionStorage.length).toBe(0);

    const withoutConsent = createQueryIdMemory({ ttlMs: HOUR, persistent: false });
    withoutConsent.remember('43', query(2));
    withoutConsent.handOff();
    expect(sessionStorage.length).toBe(0);
  });
});
