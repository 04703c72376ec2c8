import type { Conversion } from '../markup/conversion';
import { parseNumber } from '../markup/object';

/**
 * A number of the data layer: GA4 documents numbers, and a decimal string is read as markup
 * numbers are. Anything else is left for validation to refuse, with the warning bad markup gets.
 */
const numberOf = (value: unknown) => (typeof value === 'string' ? parseNumber(value) : value) as number | undefined;

type Fields = Record<string, unknown> | undefined;

/**
 * The conversion a data-layer entry stands for (docs/behaviour.md, Data layer): a GA4
 * `add_to_cart` or `purchase`, pushed as `{ event, ecommerce: {…} }` or by gtag as its arguments
 * `['event', name, {…}]`. Undefined for any other entry; a string says why an `add_to_cart` or
 * `purchase` entry cannot be used.
 */
export function conversionOfEntry(
  entry: object,
  defaults: { index?: string | undefined; currency?: string | undefined },
): Conversion | string | undefined {
  const fields = entry as Record<string, unknown>;
  const gtag = fields[0] === 'event';
  const name = gtag ? fields[1] : fields.event;
  const kind = name === 'purchase' ? 'purchase' : name === 'add_to_cart' ? 'addToCart' : undefined;
  if (!kind) return undefined;
  const ecommerce = (gtag ? fields[2] : fields.ecommerce) as Fields;
  const items = ecommerce?.items;
  if (!Array.isArray(items) || !items.length) return `${name} without ecommerce.items`;
  return {
    kind,
    // An item without item_id has an empty objectID, which validation refuses as it refuses such markup.
    items: items.map((item: Fields) => ({
      objectID: `${item?.item_id ?? ''}`,
      index: defaults.index,
      price: numberOf(item?.price),
      quantity: numberOf(item?.quantity) ?? 1,
      discount: numberOf(item?.discount),
    })),
    value: numberOf(ecommerce?.value),
    currency: (ecommerce?.currency ?? defaults.currency) as string | undefined,
    orderId: `${ecommerce?.transaction_id ?? ''}`,
  };
}
