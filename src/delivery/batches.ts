import type { InsightsEvent } from '../events/schemas';

export const MAX_EVENTS_PER_REQUEST = 1000;
/** Beacons and keepalive fetches share a 64 KB budget per page: stay well under it. */
export const MAX_REQUEST_BYTES = 48_000;

/** The events of one request, whose body is `bodyOf(batch)`. */
export type Batch = InsightsEvent[];

const encoder = new TextEncoder();
const ENVELOPE_BYTES = '{"events":[]}'.length;

export const bodyOf = (events: readonly InsightsEvent[]) => JSON.stringify({ events });

/** Groups events, in order, into requests within the API's and the browser's limits. */
export function toBatches(events: readonly InsightsEvent[]): Batch[] {
  const batches: Batch[] = [];
  let current: Batch | undefined;
  let bytes = 0;
  for (const event of events) {
    const size = encoder.encode(JSON.stringify(event)).length + 1;
    if (!current || current.length === MAX_EVENTS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES) {
      current = [];
      batches.push(current);
      bytes = ENVELOPE_BYTES;
    }
    current.push(event);
    bytes += size;
  }
  return batches;
}
