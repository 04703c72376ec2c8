import type { InsightsEvent } from '../events/schemas';

export const MAX_EVENTS_PER_REQUEST = 1000;
/** Well under the 64 KB that beacons and keepalive fetches share per page, so that one exit beacon fits. */
export const MAX_REQUEST_BYTES = 48_000;

/** The events of one request, whose body is `bodyOf(batch)`. */
export type Batch = InsightsEvent[];

const encoder = new TextEncoder();
const ENVELOPE_BYTES = '{"events":[]}'.length;
const NOT_ASCII = /[^\0-\x7f]/;
// Measured once per event object: a drain measures a chunk to keep its last, partial request for
// the next chunk, and then sends the rest.
const sizes = new WeakMap<InsightsEvent, number>();

/** The event's size in a request body, its comma included, in UTF-8 bytes. */
function sizeOf(event: InsightsEvent): number {
  let size = sizes.get(event);
  if (size === undefined) {
    const json = JSON.stringify(event);
    // An ASCII text has as many bytes as characters: encoding it only to count them would cost more than all else here.
    size = (NOT_ASCII.test(json) ? encoder.encode(json).length : json.length) + 1;
    sizes.set(event, size);
  }
  return size;
}

export const bodyOf = (events: readonly InsightsEvent[]) => JSON.stringify({ events });

/**
 * Groups events, in order, into requests within the API's and the browser's limits, one request
 * at a time: a burst of many thousand events is measured as it is sent, not all in one task.
 */
export function* batchesOf(events: readonly InsightsEvent[]): Generator<Batch, void, undefined> {
  let current: Batch = [];
  let bytes = ENVELOPE_BYTES;
  for (const event of events) {
    const size = sizeOf(event);
    if (current.length && (current.length === MAX_EVENTS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)) {
      yield current;
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length) yield current;
}

/** Every request's events at once. */
export const toBatches = (events: readonly InsightsEvent[]): Batch[] => [...batchesOf(events)];
