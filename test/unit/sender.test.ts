import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { createOutbox } from '../../src/delivery/outbox';
import { createSender, type Sender } from '../../src/delivery/sender';
import { eventsUrl } from '../../src/delivery/transport';
import type { InsightsEvent } from '../../src/events/schemas';
import { createLog } from '../../src/lib/log';
import { nextPageDrains } from '../support/outbox';

const EVENTS_URL = eventsUrl('https://insights.algolia.io', 'LATENCY', 'search-only-key');
const FLUSH_INTERVAL = 5000;

// Recent, as the events a page makes are: older than 4 days would be dropped as the API refuses them.
const RECENT = Date.now();
const click = (n: number): InsightsEvent => ({
  eventType: 'click',
  eventName: 'Hit Clicked',
  index: 'products',
  userToken: 'anonymous-user-1',
  timestamp: RECENT + n,
  objectIDs: [`sku-${n}`],
});
const clicks = (count: number) => Array.from({ length: count }, (_, n) => click(n));
const idOf = (event: InsightsEvent) => ('objectIDs' in event ? event.objectIDs[0] : undefined);

type Answer = number | 'network error';
interface Request {
  url: string;
  init: RequestInit;
  events: InsightsEvent[];
  answer: Answer;
}

let requests: Request[];
/** Decides the answer to each fetch from the events in its body; 200 unless a test says otherwise. */
let answerFor: (events: InsightsEvent[]) => Answer;
let fetchMock: Mock<typeof fetch>;
let beaconMock: Mock<Navigator['sendBeacon']>;
let consoleError: Mock<typeof console.error>;
let refused: Mock<(event: InsightsEvent, status: number) => void>;

const bodyEvents = (body: unknown): InsightsEvent[] => JSON.parse(body as string).events;

beforeEach(() => {
  vi.useFakeTimers();
  requests = [];
  answerFor = () => 200;
  fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const events = bodyEvents(init?.body);
    const answer = answerFor(events);
    requests.push({ url: String(input), init: init ?? {}, events, answer });
    if (answer === 'network error') throw new TypeError('Failed to fetch');
    return new Response(null, { status: answer });
  });
  vi.stubGlobal('fetch', fetchMock);
  beaconMock = vi.fn(() => true);
  vi.spyOn(navigator, 'sendBeacon').mockImplementation(beaconMock);
  consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  refused = vi.fn();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const startDelivery = (): Sender =>
  createSender({
    url: EVENTS_URL,
    flushInterval: FLUSH_INTERVAL,
    log: createLog(false),
    onRefused: refused,
    outbox: createOutbox({ persistent: false }),
  });

const enqueueAll = (delivery: Sender, events: InsightsEvent[]) => {
  for (const event of events) delivery.enqueue(event);
};

/**
 * Two clicks whose request is under way when the page is hidden, or `leaving`, and then fails
 * without an answer; resolves with the sender once that failure is handled.
 */
async function unansweredAfterExit(leaving: boolean): Promise<Sender> {
  let fail: (error: Error) => void = () => {};
  fetchMock.mockImplementationOnce((_input, init) => {
    requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 'network error' });
    return new Promise<Response>((_resolve, reject) => (fail = reject));
  });
  const delivery = startDelivery();
  enqueueAll(delivery, clicks(2));
  const inFlight = delivery.flush();
  delivery.flushOnExit(leaving);
  fail(new TypeError('Failed to fetch'));
  await inFlight;
  return delivery;
}

/** How many times each objectID reached the API in a request it accepted. */
const deliveredCounts = () => {
  const counts = new Map<string | undefined, number>();
  for (const { events, answer } of requests) {
    if (typeof answer === 'number' && answer >= 200 && answer < 300) {
      for (const event of events) counts.set(idOf(event), (counts.get(idOf(event)) ?? 0) + 1);
    }
  }
  return counts;
};
const expectDeliveredOnce = (events: InsightsEvent[]) => {
  const counts = deliveredCounts();
  expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(events.map((event) => [idOf(event), 1])));
};

/** Clicks of about 1.2 KB each: 40 make a request of 48,000 bytes at most. */
const largeClicks = (count: number): InsightsEvent[] =>
  clicks(count).map((event) => ({
    ...event,
    eventName: 'x'.repeat(64),
    objectIDs: Array.from({ length: 20 }, (_, n) => `${idOf(event)}-${'y'.repeat(40)}-${n}`),
  })) as InsightsEvent[];

/**
 * Answers every request 200 after 10 ms, and records, as each request
 * starts, how many requests (and how many with keepalive) are then in flight.
 */
function answerAfter10Ms(): Array<{ requests: number; keepalive: number }> {
  const atEachStart: Array<{ requests: number; keepalive: number }> = [];
  const inFlight = { requests: 0, keepalive: 0 };
  fetchMock.mockImplementation(async (_input, init) => {
    const keepalive = init?.keepalive ? 1 : 0;
    inFlight.requests += 1;
    inFlight.keepalive += keepalive;
    atEachStart.push({ ...inFlight });
    await new Promise((resolve) => setTimeout(resolve, 10));
    inFlight.requests -= 1;
    inFlight.keepalive -= keepalive;
    requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 200 });
    return new Response(null, { status: 200 });
  });
  return atEachStart;
}

describe('regular sends', () => {
  it('sends nothing before flushInterval, then everything in one request', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    await vi.advanceTimersByTimeAsync(3000);
    delivery.enqueue(click(2));
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL - 3000 - 1);
    expect(fetchMock).not.toHaveBeenCalled();
    // The first event has waited flushInterval: the later one goes with it rather than waiting longer.
    await vi.advanceTimersByTimeAsync(1);
    expect(requests.map((request) => request.events)).toEqual([clicks(3)]);
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('posts a text/plain string body, with keepalive so that it arrives should the page be left: no CORS preflight', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [{ url, init }] = requests as [Request];
    expect(url).toBe(EVENTS_URL);
    expect(init.method).toBe('POST');
    expect(init.keepalive).toBe(true);
    expect(typeof init.body).toBe('string');
    expect(JSON.parse(init.body as string)).toEqual({ events: clicks(3) });
    // The content type the browser sends: the request's own headers, else the one its body implies.
    expect(new Request(url, init).headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('flush() sends at once and resolves once the answers are in', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    await delivery.flush();
    expectDeliveredOnce(clicks(2));
  });
});

describe('leaving the page', () => {
  it('hands everything waiting to sendBeacon, with the same URL and body', () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit(true);
    expect(beaconMock).toHaveBeenCalledTimes(1);
    const [url, body] = beaconMock.mock.calls[0] ?? [];
    expect(url).toBe(EVENTS_URL);
    expect(typeof body).toBe('string');
    expect(JSON.parse(body as string)).toEqual({ events: clicks(3) });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('falls back to a keepalive fetch where the browser has no beacon', async () => {
    beaconMock.mockImplementation(() => {
      throw new TypeError('navigator.sendBeacon is not a function');
    });
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ url: EVENTS_URL, init: { method: 'POST', keepalive: true }, events: clicks(3) });
  });

  it('sends nothing twice when flushOnExit follows a flush', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    delivery.flushOnExit(true);
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    expect(beaconMock).not.toHaveBeenCalled();
    expectDeliveredOnce(clicks(3));
  });

  it('sends nothing twice when a flush or the timer follows flushOnExit', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit(true);
    await delivery.flush();
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    expect(beaconMock).toHaveBeenCalledTimes(1);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('answers of the API', () => {
  it.each([401, 403])('%i stops sending with exactly one console.error', async (status) => {
    answerFor = () => status;
    const delivery = startDelivery();
    // Several requests' worth, less than a burst: the first goes alone, so its refusal stops the others.
    enqueueAll(
      delivery,
      clicks(450).map((event) => ({
        ...event,
        eventName: 'x'.repeat(64),
        objectIDs: Array.from({ length: 20 }, (_, n) => `${idOf(event)}-${'y'.repeat(40)}-${n}`),
      })) as InsightsEvent[],
    );
    await delivery.flush();
    const refusedRequests = fetchMock.mock.calls.length;
    expect(refusedRequests).toBe(1);
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(String(consoleError.mock.calls[0])).toMatch(/appId|apiKey|credentials/);

    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    delivery.flushOnExit(true);
    expect(fetchMock).toHaveBeenCalledTimes(refusedRequests);
    expect(beaconMock).not.toHaveBeenCalled();
    expect(consoleError).toHaveBeenCalledTimes(1);
  });

  describe.each([422, 413])('%i', (status) => {
    it('isolates the offending event, reports it alone, and delivers every other event once', async () => {
      const events = clicks(1200);
      const marked = events[1100] as InsightsEvent;
      answerFor = (batch) => (batch.some((event) => idOf(event) === idOf(marked)) ? status : 200);
      const delivery = startDelivery();
      enqueueAll(delivery, events);
      await delivery.flush();
      expect(refused.mock.calls).toEqual([[marked, status]]);
      expectDeliveredOnce(events.filter((event) => event !== marked));
    });

    it('isolates several offending events in one request', async () => {
      const events = clicks(40);
      const marked = new Set(['sku-3', 'sku-4', 'sku-31']);
      answerFor = (batch) => (batch.some((event) => marked.has(idOf(event) ?? '')) ? status : 200);
      const delivery = startDelivery();
      enqueueAll(delivery, events);
      await delivery.flush();
      expect(refused.mock.calls.map(([event]) => idOf(event)).sort()).toEqual([...marked].sort());
      expectDeliveredOnce(events.filter((event) => !marked.has(idOf(event) ?? '')));
      await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
      expectDeliveredOnce(events.filter((event) => !marked.has(idOf(event) ?? '')));
    });
  });

  it.each<Answer>([500, 503, 429, 408, 'network error'])(
    '%s keeps the events for a later flush, which delivers them exactly once',
    async (failure) => {
      let failing = true;
      answerFor = () => (failing ? failure : 200);
      const delivery = startDelivery();
      enqueueAll(delivery, clicks(3));
      await delivery.flush();
      // A keepalive request that fails without an answer may have been refused by the browser: it
      // goes again at once as a plain request, which a network that is down fails too.
      expect(fetchMock).toHaveBeenCalledTimes(failure === 'network error' ? 2 : 1);
      expect(deliveredCounts().size).toBe(0);

      failing = false;
      await delivery.flush();
      expectDeliveredOnce(clicks(3));
      await vi.advanceTimersByTimeAsync(60_000);
      delivery.flushOnExit(true);
      expectDeliveredOnce(clicks(3));
      expect(beaconMock).not.toHaveBeenCalled();
      expect(refused).not.toHaveBeenCalled();
    },
  );

  it('keeps what waits for a retry once a 401 stopped sending: a later page may have a valid key', async () => {
    answerFor = (events) => (events.some((event) => idOf(event) === 'sku-2') ? 401 : 'network error');
    const outbox = createOutbox({ persistent: false });
    const delivery = createSender({ url: EVENTS_URL, flushInterval: FLUSH_INTERVAL, log: createLog(false), onRefused: refused, outbox });
    delivery.enqueue(click(1));
    await delivery.flush();
    delivery.enqueue(click(2));
    await delivery.flush();
    const requestsBeforeStop = requests.length;
    window.dispatchEvent(new Event('online'));
    await delivery.flush();
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    expect(requests).toHaveLength(requestsBeforeStop);
    // The refused batch too: the key is what was wrong, not the events.
    expect(outbox.takeUnstored().map(idOf)).toEqual(['sku-1', 'sku-2']);
    delivery.stop();
  });

  it('retries on its own after a failure, without a call to flush()', async () => {
    let failing = true;
    answerFor = () => (failing ? 503 : 200);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    failing = false;
    await vi.advanceTimersByTimeAsync(60_000);
    expectDeliveredOnce(clicks(3));
  });

  it('retries failed events alongside those enqueued while they were in flight, each once', async () => {
    let failing = true;
    answerFor = () => (failing ? 500 : 200);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    const inFlight = delivery.flush();
    delivery.enqueue(click(2));
    await inFlight;
    failing = false;
    await delivery.flush();
    expectDeliveredOnce(clicks(3));
  });

  it('sends each event once when flush() is called twice at once, retried ones included', async () => {
    let failing = true;
    answerFor = () => (failing ? 503 : 200);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    await delivery.flush();
    failing = false;
    delivery.enqueue(click(2));
    await Promise.all([delivery.flush(), delivery.flush()]);
    expectDeliveredOnce(clicks(3));
  });

  it('does not repeat a request that was in flight when the page was left and failed without an answer', async () => {
    // It may have arrived although its promise fails: the API would count it twice.
    const delivery = await unansweredAfterExit(true);
    await vi.advanceTimersByTimeAsync(60_000);
    await delivery.flush();
    delivery.flushOnExit(true);
    expect(requests).toHaveLength(1);
    expect(beaconMock).not.toHaveBeenCalled();
  });

  it('still retries an answered failure (5xx) that comes back after the page was hidden', async () => {
    let failing = true;
    answerFor = () => (failing ? 503 : 200);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    const inFlight = delivery.flush();
    delivery.flushOnExit(false);
    await inFlight;
    failing = false;
    await delivery.flush();
    expectDeliveredOnce(clicks(2));
  });

  it('backs off after failures in a row instead of retrying at every interval', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    answerFor = () => 500;
    const delivery = createSender({
      url: EVENTS_URL,
      flushInterval: 0,
      log: createLog(false),
      onRefused: refused,
      outbox: createOutbox({ persistent: false }),
    });
    delivery.enqueue(click(1));
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    // The first try, then retries after 1 s, 2 s and 4 s: not one request per millisecond.
    expect(requests).toHaveLength(4);
    delivery.stop();
  });

  it('waits as long as a 429 answer’s Retry-After says', async () => {
    let answers = 0;
    fetchMock.mockImplementation(async (_input, init) => {
      answers += 1;
      const limited = answers === 1;
      requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: limited ? 429 : 200 });
      return new Response('{}', { status: limited ? 429 : 200, headers: limited ? { 'Retry-After': '30' } : {} });
    });
    const delivery = startDelivery();
    delivery.enqueue(click(1));
    await delivery.flush();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expectDeliveredOnce([click(1)]);
    delivery.stop();
  });

  it('backs off from 429 answers whose Retry-After is 0 or already past, instead of retrying at once again and again', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    fetchMock.mockImplementation(async (_input, init) => {
      requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 429 });
      // A date the server thinks is ahead, in the past for a page whose clock runs ahead: a common skew.
      return new Response('{}', { status: 429, headers: { 'Retry-After': requests.length % 2 ? '0' : new Date(Date.now() - 60_000).toUTCString() } });
    });
    const delivery = startDelivery();
    delivery.enqueue(click(1));
    await delivery.flush();
    // The first try, then retries after 1 s, 2 s and 4 s.
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(requests).toHaveLength(4);
    delivery.stop();
  });

  it('retries at once when the browser comes back online', async () => {
    let offline = true;
    answerFor = () => (offline ? 'network error' : 200);
    const delivery = startDelivery();
    delivery.enqueue(click(1));
    await delivery.flush();
    offline = false;
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expectDeliveredOnce([click(1)]);
    delivery.stop();
  });

  it('tries no retry while the browser is offline, and retries when it comes back online', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    answerFor = () => 'network error';
    const delivery = startDelivery();
    delivery.enqueue(click(1));
    await delivery.flush();
    await vi.advanceTimersByTimeAsync(60_000);
    // The send itself: its keepalive request, then the same plainly (a refusal fails as offline does).
    expect(requests.map(({ init }) => init.keepalive)).toEqual([true, false]);
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(true);
    answerFor = () => 200;
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expectDeliveredOnce([click(1)]);
    delivery.stop();
  });

  it('sends a burst three requests at a time once the first is answered, each event once', async () => {
    const atEachStart = answerAfter10Ms();
    const delivery = startDelivery();
    // 400 events of about 1.2 KB: 10 requests of 48,000 bytes at most.
    const large = largeClicks(400);
    enqueueAll(delivery, large);
    const flushed = delivery.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    await flushed;
    expect(requests.length).toBeGreaterThan(3);
    // The first alone, then three at once.
    expect(atEachStart[0]?.requests).toBe(1);
    expect(Math.max(...atEachStart.map(({ requests }) => requests))).toBe(3);
    // One request at a time with keepalive: the exit's beacons keep their share of the budget.
    expect(requests.filter(({ init }) => init.keepalive).length).toBeGreaterThan(0);
    expect(Math.max(...atEachStart.map(({ keepalive }) => keepalive))).toBe(1);
    expect(requests.flatMap(({ events }) => events)).toHaveLength(400);
    expect(new Set(requests.flatMap(({ events }) => events.map(idOf))).size).toBe(400);
  });
});

describe('keepalive and lanes', () => {
  it('sends a keepalive request the browser refuses again at once as a plain request, with no backoff', async () => {
    // As Chromium refuses one past the page's budget (the page's other scripts spent it): a TypeError.
    answerFor = () => 200;
    fetchMock.mockImplementationOnce(async (_input, init) => {
      requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 'network error' });
      throw new TypeError('Failed to fetch');
    });
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    expect(requests.map(({ init }) => init.keepalive)).toEqual([true, false]);
    expectDeliveredOnce(clicks(3));
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    expect(requests).toHaveLength(2);
  });

  it('reads each answer to its end: until then the browser counts a keepalive request in its budget', async () => {
    const answers: Response[] = [];
    fetchMock.mockImplementation(async (_input, init) => {
      requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 200 });
      answers.push(new Response('{"status":200,"message":"OK"}', { status: 200 }));
      return answers.at(-1) as Response;
    });
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    delivery.enqueue(click(3));
    await delivery.flush();
    expect(answers.map((answer) => answer.bodyUsed)).toEqual([true, true]);
    expect(requests.map(({ init }) => init.keepalive)).toEqual([true, true]);
  });

  it('keeps to three requests in flight on the page when bursts overlap, one of them with keepalive', async () => {
    const atEachStart = answerAfter10Ms();
    const delivery = startDelivery();
    // Without storage, each 500 waiting start a send of their own while the earlier ones are under way.
    enqueueAll(delivery, largeClicks(2_000));
    const flushed = delivery.flush();
    await vi.advanceTimersByTimeAsync(5_000);
    await flushed;
    expect(Math.max(...atEachStart.map(({ requests }) => requests))).toBe(3);
    expect(Math.max(...atEachStart.map(({ keepalive }) => keepalive))).toBe(1);
    expectDeliveredOnce(largeClicks(2_000));
  });

  it('hands the batches of overlapping sends that wait for a lane to the exit beacons, each event once', async () => {
    answerAfter10Ms();
    const delivery = startDelivery();
    enqueueAll(delivery, largeClicks(2_000));
    await vi.advanceTimersByTimeAsync(15);
    delivery.flushOnExit(true);
    await vi.advanceTimersByTimeAsync(5_000);
    const beaconed = beaconMock.mock.calls.flatMap(([, body]) => bodyEvents(body));
    const counts = deliveredCounts();
    for (const event of beaconed) counts.set(idOf(event), (counts.get(idOf(event)) ?? 0) + 1);
    expect(beaconed.length).toBeGreaterThan(0);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(largeClicks(2_000).map((event) => [idOf(event), 1])));
  });
});

describe('under load and at exit', () => {
  const DAY = 86_400_000;
  /** A sender whose outbox stores in a fresh IndexedDB, as a page with storage consent has. */
  const startStoringDelivery = (onFull?: (dropped: number) => void) => {
    // fake-indexeddb answers on timers of its own.
    vi.useRealTimers();
    vi.stubGlobal('indexedDB', new IDBFactory());
    const outbox = createOutbox({ persistent: true, onFull });
    return { outbox, delivery: createSender({ url: EVENTS_URL, flushInterval: FLUSH_INTERVAL, log: createLog(true), onRefused: refused, outbox }) };
  };

  it('retries a send that failed without an answer after the page was only hidden: a hidden tab may come back', async () => {
    const delivery = await unansweredAfterExit(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expectDeliveredOnce(clicks(2));
    delivery.stop();
  });

  it('leaves events older than 4 days out of the exit beacons, as every other path does', () => {
    const delivery = startDelivery();
    delivery.enqueue({ ...click(1), timestamp: Date.now() - 5 * DAY });
    delivery.enqueue(click(2));
    delivery.flushOnExit(true);
    expect(beaconMock).toHaveBeenCalledTimes(1);
    expect(bodyEvents(beaconMock.mock.calls[0]?.[1]).map(idOf)).toEqual(['sku-2']);
  });

  it('on a hidden page, keeps what the beacons refused for the next regular send', async () => {
    beaconMock.mockReturnValue(false);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit(false);
    expect(fetchMock).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL);
    expectDeliveredOnce(clicks(3));
  });

  it('on a page that is left, hands what the beacons refused to the tab’s next page, which sends it once', async () => {
    const { delivery } = startStoringDelivery();
    // The first beacon fits the budget, the second does not.
    beaconMock.mockReturnValueOnce(true).mockReturnValue(false);
    const large = (n: number) => ({ ...click(n), objectIDs: Array.from({ length: 20 }, (_, k) => `sku-${n}-${'z'.repeat(60)}-${k}`) });
    const events = Array.from({ length: 60 }, (_, n) => large(n)) as InsightsEvent[];
    enqueueAll(delivery, events);
    delivery.flushOnExit(true);
    const beaconed = bodyEvents(beaconMock.mock.calls[0]?.[1]);
    expect(beaconed.length).toBeGreaterThan(0);
    expect(beaconed.length).toBeLessThan(60);
    const handed = await nextPageDrains();
    expect([...beaconed, ...handed].map((event) => event.timestamp)).toEqual(events.map((event) => event.timestamp));
    expect(await nextPageDrains()).toEqual([]);
  });

  it('hands a chunk still being stored to the next page, even when everything else left in beacons', async () => {
    const { delivery } = startStoringDelivery();
    // A burst is stored on its way: its first chunk is being written as the page goes.
    enqueueAll(delivery, clicks(500));
    delivery.flushOnExit(true);
    const beaconed = beaconMock.mock.calls.flatMap(([, body]) => bodyEvents(body));
    // The leaving page's write is aborted: the next page finds nothing it wrote in IndexedDB.
    vi.stubGlobal('indexedDB', new IDBFactory());
    const handed = await nextPageDrains();
    expect([...handed, ...beaconed].map(idOf)).toEqual(clicks(500).map(idOf));
  });

  it('without storage, says in debug mode how many events could not leave', () => {
    const debug = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    beaconMock.mockReturnValue(false);
    const delivery = createSender({
      url: EVENTS_URL,
      flushInterval: FLUSH_INTERVAL,
      log: createLog(true),
      onRefused: refused,
      outbox: createOutbox({ persistent: false }),
    });
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit(true);
    expect(debug.mock.calls.map((call) => call.join(' '))).toContainEqual(expect.stringMatching(/3 events could not leave/));
  });

  it('stores a burst first and sends it from the outbox, each event once', async () => {
    const { delivery } = startStoringDelivery();
    enqueueAll(delivery, clicks(10_000));
    await delivery.flush();
    expectDeliveredOnce(clicks(10_000));
    expect(await nextPageDrains()).toEqual([]);
  });

  it('keeps at most the newest 5,000 undelivered events in memory, with one warning', async () => {
    answerFor = () => 503;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const outbox = createOutbox({ persistent: false, onFull: (dropped) => console.warn(`${dropped} dropped`) });
    const delivery = createSender({ url: EVENTS_URL, flushInterval: FLUSH_INTERVAL, log: createLog(false), onRefused: refused, outbox });
    for (let round = 0; round < 3; round++) {
      enqueueAll(
        delivery,
        clicks(3000).map((event, n) => ({ ...event, objectIDs: [`r${round}-${n}`] })),
      );
      await delivery.flush();
    }
    // The sends of the bursts before the flush end too (no retry is due yet: its backoff is longer).
    await vi.advanceTimersByTimeAsync(0);
    const kept = outbox.takeUnstored();
    expect(kept).toHaveLength(5000);
    // The newest: the last round's whole, none of the first's (within a round, sends end in any order).
    const keptIDs = new Set(kept.map(idOf));
    expect(Array.from({ length: 3000 }, (_, n) => `r2-${n}`).every((id) => keptIDs.has(id))).toBe(true);
    expect([...keptIDs].some((id) => id?.startsWith('r0-'))).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    delivery.stop();
  });
});
