import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { createOutbox } from '../../src/delivery/outbox';
import { createSender, type Sender } from '../../src/delivery/sender';
import { eventsUrl } from '../../src/delivery/transport';
import type { InsightsEvent } from '../../src/events/schemas';
import { createLog } from '../../src/lib/log';

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
    return { status: answer, ok: answer >= 200 && answer < 300 } as Response;
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

  it('posts a text/plain string body with keepalive, so no CORS preflight is needed', async () => {
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
    delivery.flushOnExit();
    expect(beaconMock).toHaveBeenCalledTimes(1);
    const [url, body] = beaconMock.mock.calls[0] ?? [];
    expect(url).toBe(EVENTS_URL);
    expect(typeof body).toBe('string');
    expect(JSON.parse(body as string)).toEqual({ events: clicks(3) });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('falls back to a keepalive fetch when the beacon is refused', async () => {
    beaconMock.mockReturnValue(false);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ url: EVENTS_URL, init: { method: 'POST', keepalive: true }, events: clicks(3) });
  });

  it('sends nothing twice when flushOnExit follows a flush', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    delivery.flushOnExit();
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    expect(beaconMock).not.toHaveBeenCalled();
    expectDeliveredOnce(clicks(3));
  });

  it('sends nothing twice when a flush or the timer follows flushOnExit', async () => {
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(3));
    delivery.flushOnExit();
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
    // Several batches' worth: they go one at a time, so the first refusal stops the others.
    enqueueAll(delivery, clicks(1500));
    await delivery.flush();
    const refusedRequests = fetchMock.mock.calls.length;
    expect(refusedRequests).toBe(1);
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(String(consoleError.mock.calls[0])).toMatch(/appId|apiKey|credentials/);

    enqueueAll(delivery, clicks(3));
    await delivery.flush();
    await vi.advanceTimersByTimeAsync(10 * FLUSH_INTERVAL);
    delivery.flushOnExit();
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
      expect(fetchMock).toHaveBeenCalledTimes(1);
      expect(deliveredCounts().size).toBe(0);

      failing = false;
      await delivery.flush();
      expectDeliveredOnce(clicks(3));
      await vi.advanceTimersByTimeAsync(60_000);
      delivery.flushOnExit();
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
    // The keepalive request carries on after the page: it may have arrived although its promise fails.
    let fail: (error: Error) => void = () => {};
    fetchMock.mockImplementationOnce((_input, init) => {
      requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 'network error' });
      return new Promise<Response>((_resolve, reject) => (fail = reject));
    });
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    const inFlight = delivery.flush();
    delivery.flushOnExit();
    fail(new TypeError('Failed to fetch'));
    await inFlight;
    await vi.advanceTimersByTimeAsync(60_000);
    await delivery.flush();
    delivery.flushOnExit();
    expect(requests).toHaveLength(1);
    expect(beaconMock).not.toHaveBeenCalled();
  });

  it('still retries an answered failure (5xx) that comes back after the page was hidden', async () => {
    let failing = true;
    answerFor = () => (failing ? 503 : 200);
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(2));
    const inFlight = delivery.flush();
    delivery.flushOnExit();
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

  it('sends one batch at a time, so that keepalive requests stay within the browser’s 64 KB budget', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    fetchMock.mockImplementation(async (_input, init) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight -= 1;
      requests.push({ url: EVENTS_URL, init: init ?? {}, events: bodyEvents(init?.body), answer: 200 });
      return { status: 200, ok: true } as Response;
    });
    const delivery = startDelivery();
    enqueueAll(delivery, clicks(1500));
    const flushed = delivery.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    await flushed;
    expect(requests.length).toBeGreaterThan(1);
    expect(mostInFlight).toBe(1);
    expectDeliveredOnce(clicks(1500));
  });
});
