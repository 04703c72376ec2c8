/**
 * "Nothing lost, nothing twice": delivery under the faults a real network and the Insights API
 * produce (docs/behaviour.md, Delivery). Every scenario generates distinct events, lets the fault happen, and counts
 * each event by its identity (eventName + objectIDs + timestamp) among the collector's answered
 * 2xx receptions: every valid event must arrive exactly once. A copy the collector received but
 * never answered (a hung request) is not a delivery and is reported apart.
 *
 * Late answers come from a local slow lane (a proxy in front of the collector): the collector
 * records the events as they arrive while the page waits for the answer, as with a slow API.
 * Pages choose it with `?endpoint=<lane origin>` (see fixtures/faults/endpoint.js).
 */
import { createServer, request as forward, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { flush, pollUntil, postRequests, setupE2E, sleep, waitForQueryTrail, type TrackedPage } from '../support/e2e';

const e2e = setupE2E();

declare global {
  interface Window {
    /** objectIDs of every event the page was told the API refused (`querytrail:reject`). */
    refusedObjectIDs: string[][];
  }
}

/** Longer than the first retry can wait (1 s + 50% jitter): a duplicate has time to show up. */
const QUIET_MS = 1_700;
const OBJECT_IDS = ['lamp-1', 'lamp-2', 'lamp-3', 'lamp-4', 'lamp-5', 'lamp-6'];

type SentEvent = { eventName: string; objectIDs?: string[]; timestamp?: number };

const identityOf = ({ eventName, objectIDs, timestamp }: SentEvent) => `${eventName} | ${objectIDs?.join(',')} | ${timestamp}`;
const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

interface Tally {
  scenario: string;
  sent: number;
  /** Refused by the API (422 on its own) and reported with `querytrail:reject`: never to arrive. */
  refused: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** 2xx receptions of events the page never accepted, or of refused ones. */
  unexpected: number;
  /** Copies the collector received without ever answering them (a hung request). */
  unanswered: number;
  /** What else the scenario measured, for the closing note. */
  note?: string;
}

const tallies: Tally[] = [];

/** Counts, by identity, how the events the page accepted reached the collector. */
function tally(scenario: string, sent: readonly SentEvent[], refused: readonly SentEvent[] = []): Tally {
  const refusedIds = new Set(refused.map(identityOf));
  const expected = new Set(sent.map(identityOf).filter((id) => !refusedIds.has(id)));
  const deliveries = new Map<string, number>();
  let unanswered = 0;
  for (const { event, status } of e2e.collector.received) {
    const id = identityOf(event as SentEvent);
    if (status === null) unanswered += 1;
    if (isSuccess(status)) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
  }
  const arrived = [...expected].filter((id) => deliveries.has(id));
  const result: Tally = {
    scenario,
    sent: sent.length,
    refused: refused.length,
    delivered: arrived.length,
    lost: expected.size - arrived.length,
    duplicated: [...deliveries.values()].reduce((sum, count) => sum + count - 1, 0),
    unexpected: [...deliveries.keys()].filter((id) => !expected.has(id)).length,
    unanswered,
  };
  tallies.push(result);
  return result;
}

/**
 * Waits until every expected event has a 2xx reception (or the time is up), then `quietMs` more
 * for late copies, then checks: each accepted, unrefused event arrived exactly once.
 */
async function expectEachDeliveredOnce(
  scenario: string,
  sent: readonly SentEvent[],
  {
    refused = [],
    timeoutMs = 8_000,
    quietMs = QUIET_MS,
    afterDelivery,
  }: {
    refused?: SentEvent[];
    timeoutMs?: number;
    quietMs?: number /** e.g. flush the pages, which drains their outboxes */;
    afterDelivery?: () => Promise<void>;
  } = {},
): Promise<Tally> {
  const refusedIds = new Set(refused.map(identityOf));
  const expected = sent.map(identityOf).filter((id) => !refusedIds.has(id));
  const delivered = () =>
    new Set(e2e.collector.received.filter(({ status }) => isSuccess(status)).map(({ event }) => identityOf(event as SentEvent)));
  // A timeout is not the verdict: the counts below say what is missing.
  await pollUntil(
    () => expected.every((id) => delivered().has(id)),
    timeoutMs,
    () => '',
  ).catch(() => undefined);
  await afterDelivery?.();
  await sleep(quietMs);
  const result = tally(scenario, sent, refused);
  expect(
    result,
    `receptions [identity, status]: ${JSON.stringify(e2e.collector.received.map(({ event, status }) => [identityOf(event as SentEvent), status]))}`,
  ).toMatchObject({
    delivered: expected.length,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
  });
  return result;
}

/** The events the page accepted so far (`querytrail:event`), in order. */
async function accepted({ probe }: TrackedPage): Promise<SentEvent[]> {
  return (await probe()).acceptedEvents as SentEvent[];
}

/**
 * Clicks the results in one task, so that their events leave in one request whatever the
 * machine's load: these tests are about delivery, and a fault queued for "the next request"
 * must meet all of them.
 */
async function clickResults(page: Page, objectIDs: readonly string[]): Promise<void> {
  await page.evaluate((ids) => {
    for (const objectID of ids) (document.querySelector(`[data-insights-object-id="${objectID}"]`) as HTMLElement).click();
  }, objectIDs);
}

/** Hand-built events in one task, so that they leave in one request. */
async function trackClicks(page: Page, objectIDs: readonly string[]): Promise<void> {
  await page.evaluate((ids) => {
    for (const objectID of ids)
      window.QueryTrail?.instance.track({ eventType: 'click', eventName: 'Hit Clicked', index: 'products', objectIDs: [objectID] });
  }, objectIDs);
}

/** Arrival times (ms) at the collector of each event, by status. */
function arrivals(event: SentEvent, status: (code: number | null) => boolean): number[] {
  const id = identityOf(event);
  return e2e.collector.received.filter((entry) => identityOf(entry.event as SentEvent) === id && status(entry.status)).map(({ at }) => at);
}

/** Resolves once every given event was answered `status` at least once (it then waits in the outbox). */
async function waitUntilAnswered(events: readonly SentEvent[], status: number, timeoutMs = 5_000): Promise<void> {
  await pollUntil(
    () => events.every((event) => arrivals(event, (code) => code === status).length > 0),
    timeoutMs,
    () => `not every event was answered ${status}`,
  );
}

/** Resolves once no new request reached the collector for `quietMs`. */
async function requestsSettled(quietMs = 400): Promise<void> {
  const unchangedFor = async () => {
    const seen = e2e.collector.requests.length;
    await sleep(quietMs);
    return e2e.collector.requests.length === seen;
  };
  await pollUntil(unchangedFor, 10_000, () => 'requests kept coming');
}

/** Opens a fixture page in the same browser context as an existing one (another tab of the same user). */
async function openTab(context: BrowserContext, url: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)));
  await page.goto(url);
  await waitForQueryTrail(page);
  return { page, pageErrors };
}

/**
 * A proxy in front of the collector that holds each answer `delayMs` before passing it on: the
 * collector has the events (and answers) at once, the page learns of it late.
 */
interface SlowLane {
  origin: string;
  delayMs: number;
}

function startSlowLane(): { lane: SlowLane; server: Server } {
  const lane: SlowLane = { origin: '', delayMs: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const delay = req.method === 'POST' ? lane.delayMs : 0;
    const upstream = forward(
      e2e.url(req.url ?? '/'),
      { method: req.method, headers: { ...req.headers, host: new URL(e2e.origin).host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const { connection: _connection, 'transfer-encoding': _encoding, ...headers } = answer.headers as OutgoingHttpHeaders;
          setTimeout(() => {
            if (!res.destroyed) res.writeHead(answer.statusCode ?? 502, headers).end(Buffer.concat(chunks));
          }, delay);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return { lane, server };
}

const { lane, server: laneServer } = startSlowLane();

beforeAll(async () => {
  await new Promise<void>((done) => laneServer.listen(0, '127.0.0.1', done));
  lane.origin = `http://127.0.0.1:${(laneServer.address() as AddressInfo).port}`;
});

beforeEach(() => {
  lane.delayMs = 0;
});

afterAll(async () => {
  laneServer.closeAllConnections();
  await new Promise((done) => laneServer.close(done));
  const rows = tallies.map(
    (t) =>
      `| ${t.scenario} | ${t.sent} | ${t.refused} | ${t.delivered} | ${t.lost} | ${t.duplicated} | ${t.unexpected} | ${t.unanswered} | ${t.note ?? ''} |`,
  );
  console.log(
    [
      '',
      '| scenario | sent | refused (422) | delivered | lost | duplicated | unexpected | unanswered copies | measured |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});

/** The URL of fixture `path` with its events going through the slow lane. */
const laneUrl = (path: string) => e2e.url(`${path}?endpoint=${encodeURIComponent(lane.origin)}`);

/** Opens `path` with its events going through the slow lane. */
const openThroughLane = (path: string): Promise<TrackedPage> => e2e.open(laneUrl(path));

describe('answers the API gives', () => {
  it('500 three times, then OK: delivered once, each retry waiting about twice as long as the one before', async () => {
    const tracked = await e2e.open('/faults/results.html');
    e2e.collector.faults.next.push({ status: 500 }, { status: 500 }, { status: 500 });
    await trackClicks(tracked.page, OBJECT_IDS);
    const sent = await accepted(tracked);
    expect(sent).toHaveLength(OBJECT_IDS.length);

    // Backoff: 1 s, 2 s, 4 s, each ±50%; the slowest case is 10.5 s.
    const result = await expectEachDeliveredOnce('500 ×3, then OK', sent, { timeoutMs: 12_000 });
    const attempts = postRequests(e2e.collector);
    expect(attempts.map(({ status }) => status)).toEqual([500, 500, 500, 200]);
    const times = arrivals(sent[0] as SentEvent, () => true);
    const gaps = times.slice(1).map((time, i) => time - (times[i] as number));
    result.note = `ms between attempts: ${gaps.join(', ')}`;
    // Retry n waits at least half of 2^(n-1) s (less 50 ms for the clocks' granularity).
    const floors = [450, 950, 1_950];
    expect(
      gaps.map((gap, i) => gap >= (floors[i] as number)),
      `ms between attempts: ${gaps.join(', ')}`,
    ).toEqual([true, true, true]);
  });

  it('429 with Retry-After: 2, then OK: delivered once, not before the 2 seconds are over', async () => {
    const tracked = await e2e.open('/faults/results.html');
    e2e.collector.faults.next.push({ status: 429, headers: { 'Retry-After': '2' } });
    await clickResults(tracked.page, OBJECT_IDS.slice(0, 4));
    const sent = await accepted(tracked);
    expect(sent).toHaveLength(4);

    const result = await expectEachDeliveredOnce('429 Retry-After: 2, then OK', sent, { timeoutMs: 6_000 });
    const throttled = sent.filter((event) => arrivals(event, (status) => status === 429).length > 0);
    expect(throttled.length, 'the first request was answered 429').toBeGreaterThan(0);
    const waits = throttled.map((event) => (arrivals(event, isSuccess)[0] ?? 0) - (arrivals(event, (status) => status === 429)[0] ?? 0));
    result.note = `ms from the 429 to the delivery: ${waits.join(', ')}`;
    expect(Math.min(...waits), 'retried before Retry-After was over').toBeGreaterThanOrEqual(1_950);
  });

  it('422 for batches holding one marked object: that event is refused and reported, every other one delivered once', async () => {
    const tracked = await e2e.open('/faults/results.html');
    await tracked.page.evaluate(() => {
      window.refusedObjectIDs = [];
      document.addEventListener('querytrail:reject', (event) => {
        const { event: refused } = (event as CustomEvent<{ event?: { objectIDs?: string[] } }>).detail;
        window.refusedObjectIDs.push(refused?.objectIDs ?? []);
      });
    });
    e2e.collector.faults.rejectObjectIDs.add('lamp-4');
    await trackClicks(tracked.page, OBJECT_IDS);
    const sent = await accepted(tracked);
    const marked = sent.filter(({ objectIDs }) => objectIDs?.includes('lamp-4'));

    await expectEachDeliveredOnce('422 for one marked event', sent, { refused: marked });
    expect(await tracked.page.evaluate(() => window.refusedObjectIDs)).toEqual([['lamp-4']]);
  });

  it('413 once: the batch is split and every event delivered once', async () => {
    const tracked = await e2e.open('/faults/results.html');
    e2e.collector.faults.next.push({ status: 413 });
    await trackClicks(tracked.page, OBJECT_IDS);
    const sent = await accepted(tracked);

    await expectEachDeliveredOnce('413 once', sent);
    const answered = postRequests(e2e.collector).map(({ status, events }) => [status, events]);
    expect(answered[0]).toEqual([413, OBJECT_IDS.length]);
    // Split: more than one request after the 413, each with fewer events (an empty list would pass the check below).
    expect(answered.length, JSON.stringify(answered)).toBeGreaterThan(2);
    expect(
      answered.slice(1).every(([status, events]) => status === 200 && Number(events) < OBJECT_IDS.length),
      JSON.stringify(answered),
    ).toBe(true);
    expect((await tracked.probe()).rejects).toEqual([]);
  });
});

describe('a network that fails', () => {
  it('a first send that never gets an answer: its events are sent again and delivered once', async () => {
    const tracked = await e2e.open('/faults/results.html');
    e2e.collector.faults.next.push({ hang: true });
    await clickResults(tracked.page, OBJECT_IDS.slice(0, 3));
    const sent = await accepted(tracked);
    await pollUntil(
      () => e2e.collector.received.some(({ status }) => status === null),
      3_000,
      () => 'the first send did not reach the collector',
    );

    // The library gives up on an unanswered request after its timeout (15 s), then retries.
    const result = await expectEachDeliveredOnce('first send hangs, then OK', sent, { timeoutMs: 20_000 });
    const waits = sent.map((event) => (arrivals(event, isSuccess)[0] ?? 0) - (arrivals(event, (status) => status === null)[0] ?? 0));
    result.note = `ms from the unanswered send to the delivery: ${waits.join(', ')}`;
  });

  it('offline: nothing reaches the collector, then everything once, as soon as the browser is back online', async () => {
    const tracked = await e2e.open('/faults/results.html');
    const context = tracked.page.context();
    await context.setOffline(true);
    await clickResults(tracked.page, OBJECT_IDS.slice(0, 4));
    const sent = await accepted(tracked);
    // Long enough for the regular send and a retry or two to fail.
    await sleep(2_500);
    expect(e2e.collector.received).toEqual([]);

    const onlineAt = Date.now();
    await context.setOffline(false);
    const result = await expectEachDeliveredOnce('offline, then online', sent);
    const firstDelivery = Math.min(...sent.flatMap((event) => arrivals(event, isSuccess)));
    result.note = `ms from going online to the first delivery: ${firstDelivery - onlineAt}`;
    expect(firstDelivery - onlineAt, 'ms from going online to the first delivery').toBeLessThan(1_000);
  });
});

describe('across pages and tabs', () => {
  it('events that failed on one page are delivered once by the next page that loads QueryTrail', async () => {
    const tracked = await e2e.open('/faults/results.html');
    e2e.collector.faults.next.push(...Array.from({ length: 50 }, () => ({ status: 500 })));
    await clickResults(tracked.page, OBJECT_IDS.slice(0, 4));
    const sent = await accepted(tracked);
    await waitUntilAnswered(sent, 500);
    // A moment for the outbox write that follows the failure; users do not leave within milliseconds.
    await sleep(300);

    // Through a page without QueryTrail, so that everything the first page sent, up to its exit, met the outage.
    await tracked.page.goto(e2e.url('/faults/plain.html'));
    await requestsSettled();
    e2e.collector.faults.next.length = 0;
    await tracked.page.goto(e2e.url('/faults/next.html'));
    await waitForQueryTrail(tracked.page);

    await expectEachDeliveredOnce('500 on page 1, page 2 delivers', sent, { afterDelivery: () => flush(tracked.page) });
  });

  it('two more tabs open while the failed tab retries: each kept event is delivered once', async () => {
    const first = await openThroughLane('/faults/results.html');
    // Slow answers keep every tab's send in flight long enough to overlap with the others'.
    lane.delayMs = 700;
    e2e.collector.faults.next.push({ status: 500 });
    await clickResults(first.page, OBJECT_IDS.slice(0, 4));
    const sent = await accepted(first);
    await waitUntilAnswered(sent, 500);
    await sleep(lane.delayMs + 300);

    const url = laneUrl('/faults/next.html');
    const tabs = await Promise.all([openTab(first.page.context(), url), openTab(first.page.context(), url)]);
    await expectEachDeliveredOnce('outbox with 3 tabs open', sent, {
      afterDelivery: async () => void (await Promise.all([first.page, ...tabs.map(({ page }) => page)].map(flush))),
    });
    expect(tabs.flatMap(({ pageErrors }) => pageErrors)).toEqual([]);
  });

  it('a regular send still waiting for its answer when the user navigates away: nothing twice', async () => {
    const tracked = await openThroughLane('/faults/results.html');
    lane.delayMs = 1_500;
    await clickResults(tracked.page, OBJECT_IDS.slice(0, 3));
    const inFlight = await accepted(tracked);
    await waitUntilAnswered(inFlight, 200);
    // These may still wait for the next regular send when the page goes: they leave by beacon.
    await clickResults(tracked.page, OBJECT_IDS.slice(3, 5));
    const sent = await accepted(tracked);
    await tracked.page.goto(laneUrl('/faults/next.html'));
    await waitForQueryTrail(tracked.page);

    await expectEachDeliveredOnce('send in flight at navigation', sent, { quietMs: lane.delayMs + 1_000, afterDelivery: () => flush(tracked.page) });
  });

  it('a retry still waiting for its answer when the user navigates away: the next page does not send it again', async () => {
    const tracked = await openThroughLane('/faults/results.html');
    lane.delayMs = 1_500;
    e2e.collector.faults.next.push({ status: 500 });
    await clickResults(tracked.page, OBJECT_IDS.slice(0, 3));
    const sent = await accepted(tracked);
    await waitUntilAnswered(sent, 500);
    // The retry reached the API, which took the events; its answer is on the way when the page goes.
    await waitUntilAnswered(sent, 200, 6_000);
    await tracked.page.goto(laneUrl('/faults/next.html'));
    await waitForQueryTrail(tracked.page);

    await expectEachDeliveredOnce('retry in flight at navigation', sent, { quietMs: lane.delayMs + 1_000, afterDelivery: () => flush(tracked.page) });
  });
});
