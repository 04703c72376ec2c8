import { IDBFactory } from 'fake-indexeddb';
import { createStore, setMany } from 'idb-keyval';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutbox, OUTBOX_CAP, OUTBOX_CHUNK, STORED_CAP, WRITES_AT_ONCE } from '../../src/delivery/outbox';
import type { InsightsEvent } from '../../src/events/schemas';

const DAY = 24 * 3_600_000;
const view = (n: number, timestamp = Date.now()): InsightsEvent => ({
  eventType: 'view',
  eventName: 'Hits Viewed',
  index: 'products',
  userToken: 'user-1',
  timestamp,
  objectIDs: [`sku-${n}`],
});
const idsOf = (events: InsightsEvent[]) => events.map((event) => ('objectIDs' in event ? event.objectIDs[0] : undefined));

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** Drains the outbox into a list, keeping (failing again) the events `stillFailing` names. */
async function drained(outbox: ReturnType<typeof createOutbox>, stillFailing: (event: InsightsEvent) => boolean = () => false) {
  const sent: InsightsEvent[] = [];
  await outbox.drain(async (events) => {
    sent.push(...events);
    return events.filter(stillFailing);
  });
  return sent;
}

describe('the outbox', () => {
  it('keeps failed events across page loads with storage, and lets a later page send them once', async () => {
    await createOutbox({ persistent: true }).add([view(1), view(2)]);

    const laterPage = createOutbox({ persistent: true });
    expect(idsOf(await drained(laterPage))).toEqual(['sku-1', 'sku-2']);
    expect(await drained(createOutbox({ persistent: true }))).toEqual([]);
  });

  it('keeps what still fails for the next drain, and only that', async () => {
    const outbox = createOutbox({ persistent: true });
    await outbox.add([view(1), view(2), view(3)]);
    await drained(outbox, (event) => idsOf([event])[0] === 'sku-2');
    expect(idsOf(await drained(createOutbox({ persistent: true })))).toEqual(['sku-2']);
  });

  it('drops events older than 4 days, and says how many', async () => {
    const onExpired = vi.fn();
    const outbox = createOutbox({ persistent: true, onExpired });
    await outbox.add([view(1, Date.now() - 5 * DAY), view(2)]);
    expect(idsOf(await drained(outbox))).toEqual(['sku-2']);
    expect(onExpired).toHaveBeenCalledWith(1);
    expect(await drained(createOutbox({ persistent: true }))).toEqual([]);
  });

  // A slow test on a loaded machine (20,000 events through fake-indexeddb), not a timed one.
  it('keeps at most the newest STORED_CAP events in IndexedDB, dropping the oldest chunks whole', { timeout: 30_000 }, async () => {
    const now = Date.now();
    const onFull = vi.fn();
    const events = Array.from({ length: STORED_CAP + 5 }, (_, n) => view(n, now - (STORED_CAP + 5 - n)));
    await createOutbox({ persistent: true, onFull }).add(events);
    // Stored in chunks of OUTBOX_CHUNK: the 5 past the cap take the oldest chunk with them.
    const sent = await drained(createOutbox({ persistent: true }));
    expect(idsOf(sent)).toEqual(idsOf(events.slice(OUTBOX_CHUNK)));
    expect(onFull).toHaveBeenCalledWith(OUTBOX_CHUNK);
  });

  it('keeps at most the newest OUTBOX_CAP events in memory', async () => {
    const outbox = createOutbox({ persistent: false });
    const now = Date.now();
    await outbox.add(Array.from({ length: OUTBOX_CAP + 5 }, (_, n) => view(n, now - (OUTBOX_CAP + 5 - n))));
    const kept = outbox.takeUnstored();
    expect(kept).toHaveLength(OUTBOX_CAP);
    expect(idsOf(kept)[0]).toBe('sku-5');
  });

  it('writes nothing to IndexedDB without consent, and hands those events to the page’s exit instead', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    const outbox = createOutbox({ persistent: false });
    await outbox.add([view(1)]);
    expect(open).not.toHaveBeenCalled();
    expect(idsOf(outbox.takeUnstored())).toEqual(['sku-1']);
    expect(await drained(outbox)).toEqual([]);
  });

  it('keeps events in memory when IndexedDB fails, so sending is never blocked', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      throw new DOMException('blocked', 'SecurityError');
    });
    const onStorageProblem = vi.fn();
    const outbox = createOutbox({ persistent: true, onStorageProblem });
    await outbox.add([view(1)]);
    expect(onStorageProblem).toHaveBeenCalledOnce();
    expect(idsOf(await drained(outbox))).toEqual(['sku-1']);
  });

  it('sends each stored event once when two tabs drain at the same time', async () => {
    await createOutbox({ persistent: true }).add([view(1), view(2)]);
    const firstTab = createOutbox({ persistent: true });
    const secondTab = createOutbox({ persistent: true });
    const [first, second] = await Promise.all([drained(firstTab), drained(secondTab)]);
    expect(idsOf([...first, ...second]).sort()).toEqual(['sku-1', 'sku-2']);
  });

  it('puts back what a drain had not delivered when a send failed, the chunk it read ahead included, none twice', async () => {
    // About 1 KB each: a chunk of OUTBOX_CHUNK fills more than one request, so each chunk is a send of its own.
    const large = (n: number): InsightsEvent => ({
      eventType: 'view',
      eventName: 'Hits Viewed',
      index: 'products',
      userToken: 'user-1',
      objectIDs: [`sku-${n}`, 'x'.repeat(1_000)],
    });
    const events = Array.from({ length: 4 * OUTBOX_CHUNK }, (_, n) => large(n));
    await createOutbox({ persistent: true }).add(events);
    const delivered: InsightsEvent[] = [];
    let sends = 0;
    await createOutbox({ persistent: true }).drain(async (sent) => {
      sends += 1;
      if (sends === 2) return sent;
      delivered.push(...sent);
      return [];
    });
    const later = await drained(createOutbox({ persistent: true }));
    expect(delivered.length).toBeGreaterThan(0);
    expect(later.length).toBeGreaterThan(0);
    expect(idsOf([...delivered, ...later]).sort()).toEqual(idsOf(events).sort());
  });

  it('sends, once, events that QueryTrail 0.1.0 stored one per record, beside chunks stored now', async () => {
    const earlierVersion = createStore('querytrail-outbox', 'entries');
    await setMany(
      [
        [[1, 0, 0.5], view(1)],
        [[2, 1, 0.5], view(2)],
      ],
      earlierVersion,
    );
    await createOutbox({ persistent: true }).add([view(3)]);
    expect(idsOf(await drained(createOutbox({ persistent: true })))).toEqual(['sku-1', 'sku-2', 'sku-3']);
    expect(await drained(createOutbox({ persistent: true }))).toEqual([]);
  });

  it('never sends again what a page still has in flight when it goes', async () => {
    await createOutbox({ persistent: true }).add([view(1)]);
    const leavingPage = createOutbox({ persistent: true });
    // The send never answers: the page is gone before it does.
    void leavingPage.drain(() => new Promise<InsightsEvent[]>(() => {}));
    await vi.waitFor(async () => expect(await drained(createOutbox({ persistent: true }))).toEqual([]));
  });
});

describe('a page left while a burst is being stored', () => {
  // Two chunks more than are written at once.
  const burst = Array.from({ length: (WRITES_AT_ONCE + 2) * OUTBOX_CHUNK }, (_, n) => view(n));
  afterEach(() => sessionStorage.clear());

  /** Starts storing the burst and leaves at once, while its first chunks are being written: nothing leaves in beacons. */
  function leaveWhileStoring() {
    const leavingPage = createOutbox({ persistent: true });
    const storing = leavingPage.store(burst);
    const notStoredYet = leavingPage.takeUnstored();
    expect(notStoredYet.length).toBe(2 * OUTBOX_CHUNK);
    expect(leavingPage.handOff(notStoredYet)).toBe(notStoredYet.length);
    return storing;
  }

  it('hands the chunks being written to the next page, which sends them when the writes were aborted', async () => {
    void leaveWhileStoring();
    // The next page finds none of the leaving page's writes in IndexedDB.
    vi.stubGlobal('indexedDB', new IDBFactory());
    expect(idsOf(await drained(createOutbox({ persistent: true })))).toEqual(idsOf(burst));
  });

  it('sends the chunks being written once when the writes committed after all', async () => {
    await leaveWhileStoring();
    expect(idsOf(await drained(createOutbox({ persistent: true })))).toEqual(idsOf(burst));
  });
});
