// @vitest-environment node
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCollector } from '../../tools/collector.mjs';
import { apiMessage, createOfficialValidator, pushEventsExamples } from '../../tools/official-validator.mjs';
import { CTS_TIME, ctsCases } from '../support/official';

const clickAfterSearch = {
  eventType: 'click',
  eventName: 'Hit Clicked',
  index: 'products',
  userToken: 'anonymous-3f1d4a60-8d0e-4b8e-9c57-2a1f0e6b9d42',
  objectIDs: ['sku-1', 'sku-2'],
  queryID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  positions: [3, 4],
  timestamp: Date.now(),
};

describe('official event validator', () => {
  const validate = createOfficialValidator();

  it('accepts every request of the official clients’ pushEvents test cases', () => {
    // Some cases carry a fixed timestamp from January 2022; the API measures an event's age from
    // when it receives it, so they are judged as of that day.
    const validateAsOfTheirDay = createOfficialValidator({ now: () => CTS_TIME });
    const events = ctsCases(Date.now()).flatMap((testCase) => testCase.request.body.events);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect(validateAsOfTheirDay(event)).toEqual({ valid: true, errors: [] });
  });

  it('accepts every request example of the spec', () => {
    const events = Object.values(pushEventsExamples.requests).flatMap((example) => example.events);
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) expect(validate(event)).toEqual({ valid: true, errors: [] });
  });

  it('accepts a click after search and the same click without queryID and positions', () => {
    const { queryID: _queryID, positions: _positions, ...plainClick } = clickAfterSearch;
    expect(validate(clickAfterSearch)).toEqual({ valid: true, errors: [] });
    expect(validate(plainClick)).toEqual({ valid: true, errors: [] });
  });

  it.each([
    ['a position of 0', { positions: [0, 4] }],
    ['a queryID that is not 32 hex characters', { queryID: 'not-a-query-id' }],
    ['fewer positions than objectIDs', { positions: [3] }],
    ['a property no variant defines', { productName: 'Phone' }],
    ['both objectIDs and filters', { filters: ['brand:Apple'] }],
    ['an eventName over 64 characters', { eventName: 'x'.repeat(100) }],
    ['an eventName with non-ASCII characters', { eventName: 'Hit clické' }],
    ['a userToken with characters outside the API’s set', { userToken: 'jane@example.com' }],
    [
      'more than 20 objectIDs',
      { objectIDs: Array.from({ length: 21 }, (_, i) => `sku-${i}`), positions: Array.from({ length: 21 }, (_, i) => i + 1) },
    ],
    ['a timestamp in seconds', { timestamp: Math.floor(Date.now() / 1000) }],
    ['a timestamp older than 30 days', { timestamp: Date.now() - 31 * 24 * 3_600_000 }],
    ['an unknown eventType', { eventType: 'tap' }],
  ])('rejects a click with %s', (_, change) => {
    const verdict = validate({ ...clickAfterSearch, ...change });
    expect(verdict.valid).toBe(false);
    expect(verdict.errors.length).toBeGreaterThan(0);
  });

  it('rejects positions on a conversion and a click with positions but no queryID', () => {
    const { queryID: _queryID, ...clickWithoutQueryID } = clickAfterSearch;
    expect(validate({ ...clickAfterSearch, eventType: 'conversion' }).valid).toBe(false);
    expect(validate(clickWithoutQueryID).valid).toBe(false);
  });

  it('names the documented rule an event breaks', () => {
    expect(validate({ ...clickAfterSearch, positions: [3] }).errors).toContain(apiMessage('422', 'WrongPositionsItems'));
    expect(validate({ ...clickAfterSearch, userToken: 'jane@example.com' }).errors).toContain(apiMessage('422', 'WrongUserToken'));
  });

  it('rejects values that are not event objects', () => {
    for (const value of [null, 'click', [clickAfterSearch], 42]) expect(validate(value).valid).toBe(false);
  });
});

describe('collector', () => {
  const collector = createCollector({ appId: 'UNITAPP', apiKey: 'unit-search-key' });
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (!collector.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    collector.reset();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => collector.reset());

  const send = async (body: string, apiKey = 'unit-search-key') => {
    const response = await fetch(`${origin}/1/events?X-Algolia-Application-Id=UNITAPP&X-Algolia-API-Key=${apiKey}&X-Algolia-Agent=unit`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body,
    });
    return { status: response.status, body: await response.text(), headers: response.headers };
  };
  const sendEvents = (events: unknown[], apiKey?: string) => send(JSON.stringify({ events }), apiKey);

  it('accepts a valid text/plain batch like the API and records it', async () => {
    const response = await sendEvents([clickAfterSearch]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 200, message: 'OK' });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(collector.received).toEqual([{ event: clickAfterSearch, valid: true, errors: [], at: expect.any(Number), status: 200 }]);
    expect(collector.requests).toEqual([
      {
        method: 'POST',
        url: expect.stringContaining('/1/events?'),
        contentType: 'text/plain;charset=UTF-8',
        events: 1,
        bytes: Buffer.byteLength(JSON.stringify({ events: [clickAfterSearch] })),
        status: 200,
      },
    ]);
  });

  it('accepts credentials in headers too', async () => {
    const response = await fetch(`${origin}/1/events`, {
      method: 'POST',
      headers: { 'X-Algolia-Application-Id': 'UNITAPP', 'X-Algolia-API-Key': 'unit-search-key' },
      body: JSON.stringify({ events: [clickAfterSearch] }),
    });
    expect(response.status).toBe(200);
  });

  it('answers 401 to wrong credentials', async () => {
    const response = await sendEvents([clickAfterSearch], 'revoked-key');
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ status: 401, message: apiMessage('401', 'Unauthorized') });
  });

  it('answers 422 to a batch holding one invalid event and records which one it was', async () => {
    const broken = { ...clickAfterSearch, positions: [0, 4] };
    const response = await sendEvents([clickAfterSearch, broken]);
    expect(response.status).toBe(422);
    expect(collector.received.map(({ valid, status }) => ({ valid, status }))).toEqual([
      { valid: true, status: 422 },
      { valid: false, status: 422 },
    ]);
    expect(collector.received[1]?.errors.join('\n')).toMatch(/positions/);
  });

  it('answers the API’s messages to batches without events', async () => {
    expect(JSON.parse((await sendEvents([])).body).message).toBe(apiMessage('422', 'NoEvents'));
    expect(JSON.parse((await send(JSON.stringify([clickAfterSearch]))).body).message).toBe(apiMessage('422', 'NoEventsField'));
    expect((await send('{not json')).status).toBe(400);
  });

  it('refuses more than 1000 events and bodies of 2 MB', async () => {
    const tooMany = await sendEvents(Array.from({ length: 1001 }, () => clickAfterSearch));
    expect(JSON.parse(tooMany.body)).toEqual({ status: 422, message: apiMessage('422', 'TooManyEvents') });
    const tooLarge = await send(JSON.stringify({ events: [{ ...clickAfterSearch, eventName: 'x'.repeat(2 * 1024 * 1024) }] }));
    expect(tooLarge.status).toBe(413);
  });

  it('answers a preflight with CORS headers and other methods with 405', async () => {
    const preflight = await fetch(`${origin}/1/events`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect((await fetch(`${origin}/1/events`)).status).toBe(405);
    expect((await fetch(`${origin}/other`)).status).toBe(404);
  });

  it('gives queued fault answers in order, then answers normally again', async () => {
    collector.faults.next.push({ status: 429, headers: { 'Retry-After': '2' } }, { status: 500 });
    const throttled = await sendEvents([clickAfterSearch]);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect((await sendEvents([clickAfterSearch])).status).toBe(500);
    expect((await sendEvents([clickAfterSearch])).status).toBe(200);
    expect(collector.received.map(({ status }) => status)).toEqual([429, 500, 200]);
  });

  it('answers 422 to every batch holding a marked objectID', async () => {
    collector.faults.rejectObjectIDs.add('sku-2');
    expect((await sendEvents([clickAfterSearch])).status).toBe(422);
    expect((await sendEvents([{ ...clickAfterSearch, objectIDs: ['sku-1'], positions: [3] }])).status).toBe(200);
  });

  it('leaves a request hanging until reset', async () => {
    collector.faults.next.push({ hang: true });
    const hanging = sendEvents([clickAfterSearch]).then(
      () => 'answered',
      () => 'dropped',
    );
    await expect.poll(() => collector.received.length).toBe(1);
    expect(collector.requests[0]?.status).toBeNull();
    collector.reset();
    expect(await hanging).toBe('dropped');
  });

  it('answers every request late while a latency is set, and at once again after reset', async () => {
    collector.faults.latencyMs = 300;
    const started = Date.now();
    const answers = await Promise.all([sendEvents([clickAfterSearch]), sendEvents([clickAfterSearch])]);
    expect(answers.map(({ status }) => status)).toEqual([200, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    collector.reset();
    expect(collector.faults.latencyMs).toBe(0);
  });

  it('tells subscribers about each request', async () => {
    const batches: Array<{ status: number | null; events: number }> = [];
    const unsubscribe = collector.subscribe(({ request, events }) => batches.push({ status: request.status, events: events.length }));
    await sendEvents([clickAfterSearch, clickAfterSearch]);
    unsubscribe();
    await sendEvents([clickAfterSearch]);
    expect(batches).toEqual([{ status: 200, events: 2 }]);
  });
});
