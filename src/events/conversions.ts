import { groupPerEvent } from './groups';
import type { ConversionKind } from '../markup/conversion';
import { eventOf, withoutUndefined, type WhoAndWhen } from './build';

/** One converted object, its queryID resolved (markup, landing page, or memory). */
export interface ConvertedItem {
  objectID: string;
  index: string | undefined;
  queryID: string | undefined;
  price: number | undefined;
  quantity: number;
  discount: number | undefined;
}

/** Σ price × quantity, rounded to the prices' own precision: 19.99 × 3 is 59.97, not 59.970000000000006. */
export function revenueOf(items: readonly ConvertedItem[]): number {
  const decimals = items.map(({ price = 0 }) => String(price).split('.')[1]?.length ?? 0);
  const scale = 10 ** Math.max(0, ...decimals);
  return Math.round(items.reduce((sum, { price = 0, quantity }) => sum + price * quantity * scale, 0)) / scale;
}

export type DraftEvent = Record<string, unknown>;

/**
 * Plain and add-to-cart conversions make one event per index and queryID (objects
 * without one together); a purchase makes one event per index, its queryIDs per object.
 * Revenue goes along only with a currency; an explicit total goes on the first event
 * alone, so that a split conversion still adds up to it. `note` is told why revenue was left out.
 */
export function conversionEvents(
  kind: ConversionKind,
  items: readonly ConvertedItem[],
  value: number | undefined,
  currency: string | undefined,
  eventName: string,
  stamp: WhoAndWhen,
  note: (why: string) => void,
): DraftEvent[] {
  const purchase = kind === 'purchase';
  const subtype = kind === 'plain' ? undefined : kind;
  const priced = items.some((item) => item.price !== undefined);
  const hasRevenue = subtype !== undefined && (priced || value !== undefined);
  const withRevenue = hasRevenue && currency !== undefined;
  const withPrices = withRevenue && priced;
  const runs = groupPerEvent(items, (item) => `${item.index}\n${purchase ? '' : (item.queryID ?? '')}`);
  if (hasRevenue && currency === undefined) note('revenue left out: no data-insights-currency and no currency option');
  return runs.map((run, position) => {
    // The objects of a run share their queryID, but for a purchase, which carries them per object.
    const queryID = run.find((item) => item.queryID !== undefined)?.queryID;
    return eventOf('conversion', eventName, (run[0] as ConvertedItem).index, stamp, {
      eventSubtype: subtype,
      objectIDs: run.map((item) => item.objectID),
      queryID: purchase ? undefined : queryID,
      // Per object: a purchase's queryID, and the prices when revenue goes along.
      objectData:
        withPrices || (purchase && queryID !== undefined)
          ? run.map((item) =>
              withoutUndefined({
                queryID: (purchase && item.queryID) || undefined,
                ...(withPrices && { price: item.price, quantity: item.quantity, discount: item.discount }),
              }),
            )
          : undefined,
      ...(withRevenue && { value: value === undefined ? revenueOf(run) : position === 0 ? value : undefined, currency }),
    });
  });
}
