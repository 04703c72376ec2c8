import type { InsightsEvent } from '../events/schemas';

export const MAX_EVENTS_PER_REQUEST = 1000;
/** Beacons and keepalive fetches share a 64 KB budget per page: stay well under it. */
export const MAX_REQUEST_BYTES = 48_000;

export interface Batch {
  events: InsightsEvent[];
  body: string;
}

const encoder = new TextEncoder();
const ENVELOPE_BYTES = '{"events":[]}'.length;

export const bodyOf = (events: readonly InsightsEvent[]) => JSON.stringify({ events });

/** Groups events, in order, into request bodies within the API's and the browser's limits. */
export function toBatches(events: readonly InsightsEvent[]): Batch[] {
  const batches: Batch[] = [];
  let current: InsightsEvent[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const event of events) {
    const size = encoder.encode(JSON.stringify(event)).length + 1;
    if (current.length && (current.length === MAX_EVENTS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)) {
      batches.push({ events: current, body: bodyOf(current) });
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length) batches.push({ events: current, body: bodyOf(current) });
  return batches;
}
