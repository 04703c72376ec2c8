import { chunk, groupBy } from '../lib/lists';
import type { ConversionKind } from '../markup/conversion';
import { envelope, MAX_ITEMS, type Stamp } from './build';

/** One converted object, its queryID resolved (markup, landing page, or memory). */
export interface ConvertedItem {
  objectID: string;
  index: string | undefined;
  queryID: string | undefined;
  price: number | undefined;
  quantity: number;
  discount: number | undefined;
}

export interface ConversionInput {
  kind: ConversionKind;
  items: ConvertedItem[];
  value: number | undefined;
  currency: string | undefined;
  eventName: string;
  stamp: Stamp;
}

const decimals = (n: number) => (String(n).split('.')[1] ?? '').length;

/** Σ price × quantity, rounded to the prices' own precision: 19.99 × 3 is 59.97, not 59.970000000000006. */
export function revenueOf(items: readonly ConvertedItem[]): number {
  const places = Math.max(0, ...items.map((item) => decimals(item.price ?? 0)));
  const scale = 10 ** places;
  return Math.round(items.reduce((sum, item) => sum + (item.price ?? 0) * item.quantity * scale, 0)) / scale;
}

export type DraftEvent = Record<string, unknown>;

/**
 * SPEC §3: plain and add-to-cart conversions make one event per index and queryID (objects
 * without one together); a purchase makes one event per index, its queryIDs per object.
 * Revenue goes along only with a currency; an explicit total goes on the first event
 * alone, so that a split conversion still adds up to it. `note` says why revenue was left out.
 */
export function conversionEvents({ kind, items, value, currency, eventName, stamp }: ConversionInput): { events: DraftEvent[]; note?: string } {
  const priced = items.some((item) => item.price !== undefined);
  const withRevenue = kind !== 'plain' && currency !== undefined && (priced || value !== undefined);
  const note =
    kind !== 'plain' && currency === undefined && (priced || value !== undefined)
      ? 'revenue left out: no data-insights-currency on the trigger or its ancestors, and no currency option'
      : undefined;
  const runs = groupBy(items, (item) => `${item.index}\n${kind === 'purchase' ? '' : (item.queryID ?? '')}`).flatMap((group) =>
    chunk(group, MAX_ITEMS),
  );
  const events = runs.map((run, position) => {
    const first = run[0] as ConvertedItem;
    const afterSearch = run.some((item) => item.queryID !== undefined);
    const perObjectQueryIDs = kind === 'purchase' && afterSearch;
    const event: DraftEvent = {
      ...envelope(eventName, first.index, stamp),
      eventType: 'conversion',
      ...(kind === 'plain' ? {} : { eventSubtype: kind }),
      objectIDs: run.map((item) => item.objectID),
      ...(afterSearch && kind !== 'purchase' ? { queryID: first.queryID } : {}),
    };
    if (withRevenue && priced) {
      event.objectData = run.map((item) => ({
        ...(perObjectQueryIDs && item.queryID ? { queryID: item.queryID } : {}),
        ...(item.price === undefined ? {} : { price: item.price }),
        quantity: item.quantity,
        ...(item.discount === undefined ? {} : { discount: item.discount }),
      }));
    } else if (perObjectQueryIDs) {
      event.objectData = run.map((item) => (item.queryID ? { queryID: item.queryID } : {}));
    }
    if (withRevenue) {
      const eventValue = value === undefined ? revenueOf(run) : position === 0 ? value : undefined;
      if (eventValue !== undefined) event.value = eventValue;
      event.currency = currency;
    }
    return event;
  });
  return note ? { events, note } : { events };
}
