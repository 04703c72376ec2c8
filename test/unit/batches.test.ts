import { describe, expect, it } from 'vitest';
import { bodyOf, MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES, toBatches, type Batch } from '../../src/delivery/batches';
import type { InsightsEvent } from '../../src/events/schemas';

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

const click = (n: number, objectIDs = [`sku-${n}`]): InsightsEvent => ({
  eventType: 'click',
  eventName: 'Hit Clicked',
  index: 'products',
  userToken: 'anonymous-user-1',
  timestamp: 1_700_000_000_000 + n,
  objectIDs,
});

/** About 4 KB of UTF-8 per event, most of it in three-byte characters: 商品 is 6 bytes but 2 UTF-16 units. */
const largeClick = (n: number) =>
  click(
    n,
    Array.from({ length: 20 }, (_, k) => `${'商品'.repeat(30)}-${n}-${k}`),
  );

const sentEvents = (batches: Batch[]) => batches.flatMap((batch) => JSON.parse(bodyOf(batch)).events);

describe('toBatches', () => {
  it('sends 2,500 small events in order, none lost, each request within both limits', () => {
    const events = Array.from({ length: 2500 }, (_, n) => click(n));
    const batches = toBatches(events);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(MAX_EVENTS_PER_REQUEST);
      expect(utf8Bytes(bodyOf(batch))).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
    expect(sentEvents(batches)).toEqual(events);
  });

  it('never puts more than 1,000 events in one request: 2,500 → 1,000 + 1,000 + 500', () => {
    // No valid event is under 48 bytes, so only stand-ins this small let the API's count limit
    // bind before the byte budget does; toBatches must honour it all the same.
    const tiny = Array.from({ length: 2500 }, (_, n) => ({ n }) as unknown as InsightsEvent);
    const batches = toBatches(tiny);
    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000, 500]);
    expect(sentEvents(batches)).toEqual(tiny);
  });

  it('keeps every request body within the byte budget, counting UTF-8 bytes', () => {
    const events = Array.from({ length: 120 }, (_, n) => largeClick(n));
    // Counting string length instead of bytes would let bodies grow to over twice the budget.
    const json = JSON.stringify(events[0]);
    expect(utf8Bytes(json)).toBeGreaterThan(2 * json.length);
    const batches = toBatches(events);
    for (const batch of batches) expect(utf8Bytes(bodyOf(batch))).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(sentEvents(batches)).toEqual(events);
  });

  it.each([
    ['small', Array.from({ length: 2500 }, (_, n) => click(n))],
    ['large', Array.from({ length: 120 }, (_, n) => largeClick(n))],
  ])('fills each request before starting the next (%s events), so no request is wasted', (_size, events) => {
    const batches = toBatches(events);
    batches.slice(0, -1).forEach((batch, b) => {
      const next = batches[b + 1]?.[0] as InsightsEvent;
      const withNext = JSON.stringify({ events: [...batch, next] });
      expect(utf8Bytes(withNext) > MAX_REQUEST_BYTES || batch.length === MAX_EVENTS_PER_REQUEST).toBe(true);
    });
  });

  it('sends one event as one request whose body is {"events":[event]}', () => {
    const event = click(1);
    const batches = toBatches([event]);
    expect(batches).toHaveLength(1);
    expect(JSON.parse(bodyOf(batches[0] ?? []))).toEqual({ events: [event] });
    expect(batches[0]).toEqual([event]);
  });

  it('sends nothing when nothing waits', () => {
    expect(toBatches([])).toEqual([]);
  });
});
