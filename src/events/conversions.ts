import { chunk, groupBy } from '../lib/lists';
import type { ConversionKind } from '../markup/conversion';
import { eventOf, MAX_ITEMS, withoutUndefined, type Stamp } from './build';

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
  const purchase = kind === 'purchase';
  const priced = items.some((item) => item.price !== undefined);
  const hasRevenue = kind !== 'plain' && (priced || value !== undefined);
  const withRevenue = hasRevenue && currency !== undefined;
  const withPrices = withRevenue && priced;
  // Per object: a purchase's queryID, and the prices when revenue goes along.
  const objectData = ({ queryID, price, quantity, discount }: ConvertedItem) => {
    const ownQueryID = purchase && queryID ? queryID : undefined;
    return withoutUndefined(withPrices ? { queryID: ownQueryID, price, quantity, discount } : { queryID: ownQueryID });
  };
  const runs = groupBy(items, (item) => `${item.index}\n${purchase ? '' : (item.queryID ?? '')}`).flatMap((group) => chunk(group, MAX_ITEMS));
  const events = runs.map((run, position) => {
    // The objects of a run share their queryID, but for a purchase, which carries them per object.
    const searched = run.find((item) => item.queryID !== undefined);
    return eventOf('conversion', eventName, (run[0] as ConvertedItem).index, stamp, {
      eventSubtype: kind === 'plain' ? undefined : kind,
      objectIDs: run.map((item) => item.objectID),
      queryID: purchase ? undefined : searched?.queryID,
      objectData: withPrices || (purchase && searched) ? run.map(objectData) : undefined,
      value: !withRevenue ? undefined : value === undefined ? revenueOf(run) : position === 0 ? value : undefined,
      currency: withRevenue ? currency : undefined,
    });
  });
  const note = hasRevenue && currency === undefined ? 'revenue left out: no data-insights-currency on or above the trigger, and no currency option' : undefined;
  return { events, note };
}
