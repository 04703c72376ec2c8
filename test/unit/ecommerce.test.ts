import { describe, expect, it } from 'vitest';
import { conversionOfEntry } from '../../src/events/ecommerce';

const defaults = { index: 'products', currency: 'EUR' };
/** What gtag('event', name, params) pushes: its arguments object. */
function gtagArguments(..._args: unknown[]): object {
  // biome-ignore lint/complexity/noArguments: gtag pushes the arguments object itself, which this reproduces.
  return arguments;
}

describe('GA4 ecommerce entries of the data layer', () => {
  it('reads a purchase in the shape GA4 documents: items, prices, quantities, discounts, value, currency and transaction_id', () => {
    const entry = {
      event: 'purchase',
      ecommerce: {
        transaction_id: 'T_12345',
        value: 72.05,
        tax: 3.6,
        shipping: 5.99,
        currency: 'USD',
        coupon: 'SUMMER_SALE',
        items: [
          { item_id: 'SKU_12345', item_name: 'Stan and Friends Tee', discount: 2.22, index: 0, item_brand: 'Google', price: 10.01, quantity: 3 },
          { item_id: 'SKU_12346', item_name: "Google Grey Women's Tee", price: 21.01, quantity: 2 },
        ],
      },
    };
    expect(conversionOfEntry(entry, defaults)).toEqual({
      kind: 'purchase',
      items: [
        { objectID: 'SKU_12345', index: 'products', price: 10.01, quantity: 3, discount: 2.22 },
        { objectID: 'SKU_12346', index: 'products', price: 21.01, quantity: 2, discount: undefined },
      ],
      value: 72.05,
      currency: 'USD',
      orderId: 'T_12345',
    });
  });

  it('reads an add_to_cart pushed by gtag as its arguments, with params holding the fields directly', () => {
    const entry = gtagArguments('event', 'add_to_cart', { currency: 'USD', value: 7.77, items: [{ item_id: 'SKU_1', price: 7.77 }] });
    expect(conversionOfEntry(entry, defaults)).toEqual({
      kind: 'addToCart',
      items: [{ objectID: 'SKU_1', index: 'products', price: 7.77, quantity: 1, discount: undefined }],
      value: 7.77,
      currency: 'USD',
      orderId: '',
    });
  });

  it('takes the currency option where the entry has none, numeric IDs as text and decimal strings as numbers', () => {
    const entry = { event: 'purchase', ecommerce: { transaction_id: 1001, items: [{ item_id: 42, price: '19.99', quantity: '2' }] } };
    expect(conversionOfEntry(entry, defaults)).toMatchObject({
      items: [{ objectID: '42', price: 19.99, quantity: 2 }],
      value: undefined,
      currency: 'EUR',
      orderId: '1001',
    });
  });

  it('leaves an item without item_id with no objectID, and a price that is not a number as none, for validation to refuse as bad markup', () => {
    const entry = {
      event: 'add_to_cart',
      ecommerce: {
        items: [
          { item_name: 'No ID', price: 'ten' },
          { item_id: 'SKU_2', price: null },
        ],
      },
    };
    const conversion = conversionOfEntry(entry, defaults);
    expect(conversion).toMatchObject({ items: [{ objectID: '' }, { objectID: 'SKU_2', price: null }] });
    expect(Number.isNaN((conversion as { items: { price: unknown }[] }).items[0]?.price)).toBe(true);
  });

  it('says why an add_to_cart or purchase without items cannot be used', () => {
    expect(conversionOfEntry({ event: 'purchase' }, defaults)).toBe('purchase without ecommerce.items');
    expect(conversionOfEntry({ event: 'purchase', ecommerce: { items: [] } }, defaults)).toBe('purchase without ecommerce.items');
    expect(conversionOfEntry({ event: 'add_to_cart', ecommerce: { items: 'SKU_1' } }, defaults)).toBe('add_to_cart without ecommerce.items');
    expect(conversionOfEntry(gtagArguments('event', 'purchase'), defaults)).toBe('purchase without ecommerce.items');
  });

  it('is no conversion for other events, other gtag commands and other entries', () => {
    for (const entry of [
      { event: 'gtm.js', 'gtm.start': 1 },
      { event: 'view_item', ecommerce: { items: [{ item_id: 'SKU_1' }] } },
      { ecommerce: null },
      gtagArguments('config', 'G-XXXX'),
      gtagArguments('event', 'begin_checkout', { items: [{ item_id: 'SKU_1' }] }),
      { event: 'toString' },
      [],
    ]) {
      expect(conversionOfEntry(entry, defaults)).toBeUndefined();
    }
  });
});
