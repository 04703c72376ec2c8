import { createOutbox } from '../../src/delivery/outbox';
import type { InsightsEvent } from '../../src/events/schemas';

/** What a later page of the tab finds and sends: an outbox of its own (with storage), drained. */
export async function nextPageDrains(): Promise<InsightsEvent[]> {
  const sent: InsightsEvent[] = [];
  await createOutbox({ persistent: true }).drain(async (events) => {
    sent.push(...events);
    return [];
  });
  return sent;
}
