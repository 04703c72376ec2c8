import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { conversionEvents, revenueOf, type ConvertedItem } from '../../src/events/conversions';
import { validateEvent } from '../../src/events/schemas';
import { ancestryOf } from '../../src/markup/ancestry';
import { readConversion } from '../../src/markup/conversion';
import { createQueryIdMemory } from '../../src/storage/query-ids';
import { init, type QueryTrail } from '../../src/trail';
import { testOptions } from '../support/options';
import { clicksHandled, listenToAnnouncements, type Rejection } from '../support/announcements';

const FROM_MARKUP = 'a'.repeat(32);
const FROM_URL = 'b'.repeat(32);
const REMEMBERED = 'c'.repeat(32);
const OTHER_SEARCH = 'd'.repeat(32);
const options = { ...testOptions, userToken: 'user-1' };
const realNow = Date.now.bind(Date);

let trail: QueryTrail | undefined;
let accepted: Array<Record<string, unknown>>;
let rejected: Rejection[];
let stopListening: () => void;

const $ = (selector: string) => document.querySelector(selector) as HTMLElement;
const click = (selector: string) => $(selector).click();
const submit = (selector: string) => $(selector).dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
/** Conversions wait for the remembered queryIDs, so their events arrive a little after the interaction. */
const sent = async (count: number) => {
  await vi.waitFor(() => expect(accepted).toHaveLength(count));
  return accepted;
};
const variantOf = (event: unknown) => {
  const validation = validateEvent(event);
  return validation.ok ? validation.variant : validation.rule;
};

beforeEach(() => {
  ({ accepted, rejected, stop: stopListening } = listenToAnnouncements());
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"status":200,"message":"OK"}')),
  );
  // A fresh IndexedDB per test: nothing one test remembers leaks into another.
  vi.stubGlobal('indexedDB', new IDBFactory());
  history.replaceState(null, '', '/');
});

afterEach(() => {
  for (const event of accepted) expect(validateEvent(event)).toMatchObject({ ok: true });
  trail?.destroy();
  trail = undefined;
  stopListening();
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/**
 * A search results page the user came from: clicking a result after search remembers its
 * queryID. Resolves once a later page can read it back, so that tests of what a later page
 * does not use are not passing merely because the write was still under way.
 */
/** Search results with one result, sku-1 unless said otherwise; its link is `#result`. */
const resultsPage = (index: string, queryID: string, objectID = 'sku-1') => `
  <ol data-insights-index="${index}" data-insights-query-id="${queryID}">
    <li data-insights-object-id="${objectID}"><a id="result" href="#${objectID}">One</a></li>
  </ol>`;

async function clickOnEarlierPage(html: string, selector: string, remembered: { objectID: string; index: string; queryID: string }) {
  document.body.innerHTML = html;
  const earlierPage = init(options);
  click(selector);
  await clicksHandled();
  expect(accepted).toMatchObject([{ eventType: 'click', objectIDs: [remembered.objectID], queryID: remembered.queryID }]);
  earlierPage.destroy();
  const laterPage = createQueryIdMemory({ ttlMs: 60_000, persistent: true });
  await vi.waitFor(async () => {
    await laterPage.prune(Date.now());
    expect(laterPage.recall(remembered.objectID, remembered.index, Date.now())).toBe(remembered.queryID);
  });
  document.body.innerHTML = '';
  accepted.length = 0;
}

describe('which objects a trigger converts', () => {
  const objectIDsOf = (selector: string) => readConversion(ancestryOf($(selector)), {}).items.map((item) => item.objectID);

  it('takes the objects matched by data-insights-items, or the object inside each matched element', () => {
    document.body.innerHTML = `
      <ul data-insights-index="products">
        <li class="line" data-insights-object-id="sku-1"></li>
        <li class="line" data-insights-object-id="sku-2"></li>
      </ul>
      <table data-insights-index="products">
        <tr class="row"><td><span data-insights-object-id="sku-3"></span></td></tr>
        <tr class="row"><td>no object here</td></tr>
        <tr class="row"><td><span data-insights-object-id="sku-4"></span></td></tr>
      </table>
      <div data-insights-object-id="around"><button id="lines" data-insights-conversion="purchase" data-insights-items=".line">Buy</button></div>
      <button id="rows" data-insights-conversion="purchase" data-insights-items=".row">Buy</button>`;
    expect(objectIDsOf('#lines')).toEqual(['sku-1', 'sku-2']);
    expect(objectIDsOf('#rows')).toEqual(['sku-3', 'sku-4']);
  });

  it('covers every object inside an element matched by data-insights-items', () => {
    document.body.innerHTML = `
      <section id="cart" data-insights-index="products">
        <div data-insights-object-id="sku-1"></div>
        <div data-insights-object-id="sku-2"></div>
      </section>
      <button id="checkout" data-insights-conversion="purchase" data-insights-items="#cart">Checkout</button>`;
    expect(objectIDsOf('#checkout')).toEqual(['sku-1', 'sku-2']);
  });

  it('without data-insights-items takes the objects inside the trigger, else the object around it', () => {
    document.body.innerHTML = `
      <form id="order" data-insights-conversion="purchase" data-insights-index="products">
        <div data-insights-object-id="sku-1"></div><div data-insights-object-id="sku-2"></div>
      </form>
      <article data-insights-index="products" data-insights-object-id="sku-3">
        <div><button id="add" data-insights-conversion="addToCart">Add</button></div>
      </article>`;
    expect(objectIDsOf('#order')).toEqual(['sku-1', 'sku-2']);
    expect(objectIDsOf('#add')).toEqual(['sku-3']);
  });

  it('reads price, quantity (1 unless given) and discount as numbers, value and currency from the trigger or an ancestor', () => {
    document.body.innerHTML = `
      <section data-insights-currency="EUR" data-insights-value="42.5" data-insights-index="fallback">
        <ul data-insights-index="products" data-insights-price="5">
          <li class="line" data-insights-object-id="sku-1" data-insights-price="19.99" data-insights-quantity="3" data-insights-discount="2.5"></li>
          <li class="line" data-insights-object-id="sku-2"></li>
        </ul>
        <button id="buy" data-insights-conversion="purchase" data-insights-items=".line">Buy</button>
      </section>
      <button id="plain" data-insights-conversion="" data-insights-items=".line">Go</button>`;
    expect(readConversion(ancestryOf($('#buy')), { currency: 'USD' })).toMatchObject({
      kind: 'purchase',
      value: 42.5,
      currency: 'EUR',
      items: [
        { objectID: 'sku-1', index: 'products', price: 19.99, quantity: 3, discount: 2.5 },
        { objectID: 'sku-2', index: 'products', price: 5, quantity: 1, discount: undefined },
      ],
    });
    expect(readConversion(ancestryOf($('#plain')), { currency: 'USD' })).toMatchObject({ kind: 'plain', value: undefined, currency: 'USD' });
  });

  it('knows no conversion kind besides "", addToCart and purchase, not even one every object has', () => {
    for (const kind of ['toString', 'constructor', '__proto__', 'refund']) {
      document.body.innerHTML = `<button data-insights-conversion="${kind}" data-insights-object-id="sku-1">Go</button>`;
      expect(readConversion(ancestryOf($('button')), {}).kind).toBeUndefined();
    }
  });
});

describe('triggers without objects', () => {
  it.each([
    ['an invalid data-insights-items selector', '<button id="trigger" data-insights-conversion="purchase" data-insights-items="[[oops">Buy</button>'],
    [
      'a data-insights-items selector that matches nothing',
      '<button id="trigger" data-insights-conversion="purchase" data-insights-items=".missing">Buy</button>',
    ],
    ['no object inside or around', '<button id="trigger" data-insights-conversion="addToCart">Add</button>'],
  ])('%s: a querytrail:reject naming the trigger, nothing sent', async (_, markup) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML = `<div data-insights-index="products"><span data-insights-object-id="elsewhere"></span>${markup}</div>`;
    trail = init(options);
    click('#trigger');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.element).toBe($('#trigger'));
    expect(rejected[0]?.rule).toContain('no object to convert');
    expect(String(warn.mock.calls[0]?.[1])).toContain('<button id="trigger"');
    await trail.flush();
    expect(accepted).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('the queryID of each converted object', () => {
  const product = (queryIdMarkup = '') => `
    <article data-insights-index="products" data-insights-object-id="sku-1" ${queryIdMarkup}>
      <button id="add" data-insights-conversion="addToCart">Add to cart</button>
    </article>`;

  it('takes the markup’s queryID over the landing page’s URL parameter', async () => {
    history.replaceState(null, '', `/product?queryID=${FROM_URL}`);
    document.body.innerHTML = product(`data-insights-query-id="${FROM_MARKUP}"`);
    trail = init(options);
    click('#add');
    expect(await sent(1)).toMatchObject([{ eventSubtype: 'addToCart', objectIDs: ['sku-1'], queryID: FROM_MARKUP }]);
  });

  it('passes over an invalid markup queryID to the landing page’s, with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    history.replaceState(null, '', `/product?queryID=${FROM_URL}`);
    document.body.innerHTML = product(`data-insights-query-id="${FROM_MARKUP.toUpperCase()}"`);
    trail = init(options);
    click('#add');
    expect(await sent(1)).toMatchObject([{ eventSubtype: 'addToCart', objectIDs: ['sku-1'], queryID: FROM_URL }]);
    expect(String(warn.mock.calls[0]?.[1])).toContain(`data-insights-query-id "${FROM_MARKUP.toUpperCase()}" ignored`);
  });

  it('takes the landing page’s URL parameter (queryIdParam) over the remembered queryID', async () => {
    await clickOnEarlierPage(resultsPage('products', REMEMBERED), '#result', { objectID: 'sku-1', index: 'products', queryID: REMEMBERED });
    history.replaceState(null, '', `/product?q=shoes&searchID=${FROM_URL}`);
    trail = init({ ...options, queryIdParam: 'searchID' });
    // Rendered after start, as a client-rendered product page would be.
    document.body.innerHTML = product();
    click('#add');
    expect(await sent(1)).toMatchObject([{ objectIDs: ['sku-1'], queryID: FROM_URL }]);
  });

  it('takes the queryID remembered from a click on an earlier page when there is nothing else', async () => {
    await clickOnEarlierPage(resultsPage('products', REMEMBERED), '#result', { objectID: 'sku-1', index: 'products', queryID: REMEMBERED });
    document.body.innerHTML = product();
    trail = init(options);
    click('#add');
    expect(await sent(1)).toMatchObject([{ eventSubtype: 'addToCart', objectIDs: ['sku-1'], queryID: REMEMBERED }]);
  });

  it('does not use a queryID remembered for the same objectID in another index', async () => {
    await clickOnEarlierPage(resultsPage('articles', REMEMBERED), '#result', { objectID: 'sku-1', index: 'articles', queryID: REMEMBERED });
    document.body.innerHTML = product();
    trail = init(options);
    click('#add');
    const [event] = await sent(1);
    expect(variantOf(event)).toBe('addedToCartObjectIDs');
    expect(event).not.toHaveProperty('queryID');
  });

  it('uses a remembered queryID within queryIdTtl and not after it', async () => {
    let shift = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + shift);
    await clickOnEarlierPage(resultsPage('products', REMEMBERED), '#result', { objectID: 'sku-1', index: 'products', queryID: REMEMBERED });
    // A plain conversion, unlike an add-to-cart, does not remember the queryID again.
    document.body.innerHTML = `
      <article data-insights-index="products" data-insights-object-id="sku-1">
        <button id="ask" data-insights-conversion="">Ask the seller</button>
      </article>`;

    shift = 59_000;
    const soon = init({ ...options, queryIdTtl: 60 });
    click('#ask');
    expect(await sent(1)).toMatchObject([{ queryID: REMEMBERED }]);
    soon.destroy();

    shift = 61_000;
    trail = init({ ...options, queryIdTtl: 60 });
    click('#ask');
    const [, late] = await sent(2);
    expect(variantOf(late)).toBe('convertedObjectIDs');
  });
});

describe('what the landing queryID applies to', () => {
  /** A product page: the product, a buy box for it, and related products, each with its own add-to-cart. */
  const productPage = (objectID: string) => `
    <main data-insights-index="products">
      <article data-insights-object-id="${objectID}"><h1>${objectID}</h1></article>
      <div data-insights-object-id="${objectID}"><button id="add" data-insights-conversion="addToCart">Add to cart</button></div>
      <section>
        <div data-insights-object-id="sku-related"><button id="add-related" data-insights-conversion="addToCart">Add</button></div>
        <div data-insights-object-id="sku-other"><button id="add-other" data-insights-conversion="addToCart">Add</button></div>
      </section>
    </main>`;
  const laterPage = async (objectID: string) => {
    const memory = createQueryIdMemory({ ttlMs: 60_000, persistent: true });
    await memory.prune(Date.now());
    return memory.recall(objectID, 'products', Date.now());
  };

  it('applies to the first object in document order and to every object with its objectID, not to related products', async () => {
    await clickOnEarlierPage(resultsPage('products', REMEMBERED, 'sku-related'), '#result', {
      objectID: 'sku-related',
      index: 'products',
      queryID: REMEMBERED,
    });
    history.replaceState(null, '', `/product/sku-1?queryID=${FROM_URL}`);
    document.body.innerHTML = productPage('sku-1');
    trail = init(options);
    click('#add');
    click('#add-related');
    click('#add-other');
    const [product, related, other] = await sent(3);
    expect(product).toMatchObject({ objectIDs: ['sku-1'], queryID: FROM_URL });
    // Clicked from another search earlier: still that search's.
    expect(related).toMatchObject({ objectIDs: ['sku-related'], queryID: REMEMBERED });
    expect(variantOf(other)).toBe('addedToCartObjectIDs');
    // Only the product is remembered with the landing queryID, for a purchase on a later page.
    trail.destroy();
    await vi.waitFor(async () => expect(await laterPage('sku-1')).toBe(FROM_URL));
    expect(await laterPage('sku-other')).toBeUndefined();
    expect(await laterPage('sku-related')).toBe(REMEMBERED);
  });

  it('follows the page as it stands: a product rendered after start is what the page is about', async () => {
    history.replaceState(null, '', `/product/sku-9?queryID=${FROM_URL}`);
    trail = init(options);
    document.body.innerHTML = productPage('sku-9');
    click('#add-other');
    click('#add');
    const [other, product] = await sent(2);
    expect(variantOf(other)).toBe('addedToCartObjectIDs');
    expect(product).toMatchObject({ objectIDs: ['sku-9'], queryID: FROM_URL });
  });
});

describe('single-page apps', () => {
  const productView = (objectID: string) => `
    <article data-insights-index="products" data-insights-object-id="${objectID}">
      <button id="add" data-insights-conversion="addToCart">Add to cart</button>
    </article>`;

  it('reads the landing queryID again after a route change to a new path or query string, not after a hash change', async () => {
    history.replaceState(null, '', '/search?q=lamp');
    trail = init(options);
    history.pushState(null, '', `/product/sku-1?queryID=${FROM_URL}`);
    document.body.innerHTML = productView('sku-1');
    click('#add');
    expect(await sent(1)).toMatchObject([{ objectIDs: ['sku-1'], queryID: FROM_URL }]);
    // Same page, another tab of it.
    history.pushState(null, '', '#reviews');
    click('#add');
    expect((await sent(2))[1]).toMatchObject({ queryID: FROM_URL });
    // A product reached without ?queryID=: nothing from the URL, and sku-2 was never searched.
    history.pushState(null, '', '/product/sku-2');
    document.body.innerHTML = productView('sku-2');
    click('#add');
    expect(variantOf((await sent(3))[2])).toBe('addedToCartObjectIDs');
    // Back to the first product: popstate, its landing queryID again.
    History.prototype.replaceState.call(history, null, '', `/product/sku-1?queryID=${FROM_URL}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
    document.body.innerHTML = productView('sku-1');
    click('#add');
    expect((await sent(4))[3]).toMatchObject({ objectIDs: ['sku-1'], queryID: FROM_URL });
  });

  /**
   * A router that renders the product first and updates the URL after, then goes to the cart:
   * the add-to-cart there carries the landing queryID the product page's URL gave.
   */
  async function addToCartAfterLanding(started: Parameters<typeof init>[0]) {
    history.replaceState(null, '', '/search?q=lamp');
    trail = init(started);
    document.body.innerHTML = productView('sku-5');
    await new Promise((resolve) => setTimeout(resolve, 20));
    history.pushState(null, '', `/product/sku-5?queryID=${FROM_URL}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    history.pushState(null, '', '/cart');
    document.body.innerHTML = productView('sku-5');
    click('#add');
    expect(await sent(1)).toMatchObject([{ objectIDs: ['sku-5'], queryID: FROM_URL }]);
  }

  it('remembers the new URL’s landing queryID for the product rendered before the route changed', () => addToCartAfterLanding(options));

  it('remembers it with views off too: the objects are looked for once a landing queryID needs them', () =>
    addToCartAfterLanding({ ...options, views: false }));
});

describe('grouping into events', () => {
  const cart = (conversion: string) => `
    <form id="cart" data-insights-conversion="${conversion}" data-insights-index="products">
      <div data-insights-query-id="${FROM_MARKUP}">
        <p data-insights-object-id="sku-1"></p><p data-insights-object-id="sku-3"></p>
      </div>
      <p data-insights-object-id="sku-2" data-insights-query-id="${OTHER_SEARCH}"></p>
      <p data-insights-object-id="sku-4"></p>
      <button>Order</button>
    </form>`;
  const summary = (event: Record<string, unknown>) => [variantOf(event), event.queryID, event.objectIDs];

  it('plain: one convertedObjectIDsAfterSearch per queryID, one convertedObjectIDs for the objects without', async () => {
    document.body.innerHTML = cart('');
    trail = init(options);
    submit('#cart');
    expect((await sent(3)).map(summary)).toEqual([
      ['convertedObjectIDsAfterSearch', FROM_MARKUP, ['sku-1', 'sku-3']],
      ['convertedObjectIDsAfterSearch', OTHER_SEARCH, ['sku-2']],
      ['convertedObjectIDs', undefined, ['sku-4']],
    ]);
    expect(accepted.every((event) => event.eventName === 'Converted' && !('eventSubtype' in event))).toBe(true);
  });

  it('addToCart: one addedToCartObjectIDsAfterSearch with a top-level queryID per queryID, one addedToCartObjectIDs for the rest', async () => {
    document.body.innerHTML = cart('addToCart');
    trail = init(options);
    submit('#cart');
    expect((await sent(3)).map(summary)).toEqual([
      ['addedToCartObjectIDsAfterSearch', FROM_MARKUP, ['sku-1', 'sku-3']],
      ['addedToCartObjectIDsAfterSearch', OTHER_SEARCH, ['sku-2']],
      ['addedToCartObjectIDs', undefined, ['sku-4']],
    ]);
  });

  it('purchase: one purchasedObjectIDsAfterSearch carrying each object’s queryID in objectData', async () => {
    document.body.innerHTML = cart('purchase');
    trail = init(options);
    submit('#cart');
    const [event] = await sent(1);
    expect(variantOf(event)).toBe('purchasedObjectIDsAfterSearch');
    expect(event).not.toHaveProperty('queryID');
    expect(event).toMatchObject({ eventSubtype: 'purchase', objectIDs: ['sku-1', 'sku-3', 'sku-2', 'sku-4'] });
    expect(event?.objectData).toEqual([{ queryID: FROM_MARKUP }, { queryID: FROM_MARKUP }, { queryID: OTHER_SEARCH }, {}]);
  });

  it('purchase without any queryID: purchasedObjectIDs', async () => {
    document.body.innerHTML = `
      <form id="cart" data-insights-conversion="purchase" data-insights-index="products">
        <p data-insights-object-id="sku-1"></p><p data-insights-object-id="sku-2"></p>
      </form>`;
    trail = init(options);
    submit('#cart');
    const [event] = await sent(1);
    expect(variantOf(event)).toBe('purchasedObjectIDs');
    expect(event).toMatchObject({ objectIDs: ['sku-1', 'sku-2'] });
    expect(event).not.toHaveProperty('objectData');
  });

  it('sends objects of different indices in separate events', async () => {
    document.body.innerHTML = `
      <form id="cart" data-insights-conversion="purchase" data-insights-currency="EUR">
        <p data-insights-index="products" data-insights-object-id="sku-1" data-insights-price="10" data-insights-query-id="${FROM_MARKUP}"></p>
        <p data-insights-index="gift_cards" data-insights-object-id="card-1" data-insights-price="25"></p>
        <p data-insights-index="products" data-insights-object-id="sku-2" data-insights-price="5"></p>
      </form>`;
    trail = init(options);
    submit('#cart');
    expect(await sent(2)).toMatchObject([
      {
        index: 'products',
        objectIDs: ['sku-1', 'sku-2'],
        objectData: [
          { queryID: FROM_MARKUP, price: 10, quantity: 1 },
          { price: 5, quantity: 1 },
        ],
        value: 15,
      },
      { index: 'gift_cards', objectIDs: ['card-1'], objectData: [{ price: 25, quantity: 1 }], value: 25 },
    ]);
    expect(accepted.map(variantOf)).toEqual(['purchasedObjectIDsAfterSearch', 'purchasedObjectIDs']);
  });
});

describe('revenue', () => {
  const revenueOfEvent = ({ objectData, value, currency }: Record<string, unknown>) => ({ objectData, value, currency });

  it('sends price, quantity and discount as numbers and value = Σ price × quantity without floating-point noise', async () => {
    document.body.innerHTML = `
      <form id="cart" data-insights-conversion="purchase" data-insights-index="products" data-insights-currency="EUR">
        <p data-insights-object-id="sku-1" data-insights-price="19.99" data-insights-quantity="3" data-insights-discount="1.5"></p>
        <p data-insights-object-id="sku-2" data-insights-price="0.1"></p>
      </form>
      <div data-insights-index="products" data-insights-currency="USD">
        <p data-insights-object-id="sku-3" data-insights-price="0.1" data-insights-quantity="3">
          <button id="add" data-insights-conversion="addToCart">Add</button>
        </p>
      </div>`;
    trail = init(options);
    submit('#cart');
    click('#add');
    expect((await sent(2)).map(revenueOfEvent)).toEqual([
      {
        objectData: [
          { price: 19.99, quantity: 3, discount: 1.5 },
          { price: 0.1, quantity: 1 },
        ],
        value: 60.07,
        currency: 'EUR',
      },
      { objectData: [{ price: 0.1, quantity: 3 }], value: 0.3, currency: 'USD' },
    ]);
  });

  it('computes 19.99 × 3 as 59.97 and 0.1 × 3 as 0.3', () => {
    const item = (price: number, quantity: number): ConvertedItem => ({
      objectID: 'x',
      index: 'i',
      queryID: undefined,
      price,
      quantity,
      discount: undefined,
    });
    expect(revenueOf([item(19.99, 3)])).toBe(59.97);
    expect(revenueOf([item(0.1, 3)])).toBe(0.3);
    expect(revenueOf([item(0.1, 1), item(0.2, 1)])).toBe(0.3);
  });

  it('sends an explicit data-insights-value instead of the computed one, and the currency option where markup has none', async () => {
    document.body.innerHTML = `
      <section data-insights-value="50">
        <form id="cart" data-insights-conversion="purchase" data-insights-index="products">
          <p data-insights-object-id="sku-1" data-insights-price="19.99" data-insights-quantity="3"></p>
        </form>
      </section>`;
    trail = init({ ...options, currency: 'GBP' });
    submit('#cart');
    expect((await sent(1)).map(revenueOfEvent)).toEqual([{ objectData: [{ price: 19.99, quantity: 3 }], value: 50, currency: 'GBP' }]);
  });

  it('leaves revenue out when prices have no currency, and says why in debug mode', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    document.body.innerHTML = `
      <form id="cart" data-insights-conversion="purchase" data-insights-index="products">
        <p data-insights-object-id="sku-1" data-insights-price="19.99" data-insights-quantity="3"></p>
      </form>`;
    trail = init({ ...options, debug: true });
    submit('#cart');
    const [event] = await sent(1);
    expect(variantOf(event)).toBe('purchasedObjectIDs');
    expect(event).not.toHaveProperty('objectData');
    expect(event).not.toHaveProperty('value');
    expect(event).not.toHaveProperty('currency');
    const messages = log.mock.calls.map((call) => call.map(String).join(' '));
    expect(
      messages.some((message) => message.includes('<form id="cart"') && message.includes('revenue left out') && message.includes('currency')),
    ).toBe(true);
  });

  it('never puts revenue on a plain conversion', async () => {
    document.body.innerHTML = `
      <form id="signup" data-insights-conversion="" data-insights-index="products" data-insights-currency="EUR" data-insights-value="9">
        <p data-insights-object-id="sku-1" data-insights-price="19.99" data-insights-query-id="${FROM_MARKUP}"></p>
        <p data-insights-object-id="sku-2" data-insights-price="5"></p>
      </form>`;
    trail = init(options);
    submit('#signup');
    for (const event of await sent(2)) {
      expect(event).not.toHaveProperty('objectData');
      expect(event).not.toHaveProperty('value');
      expect(event).not.toHaveProperty('currency');
    }
  });
});

describe('more than 20 objects', () => {
  const bigCart = (value = '') => `
    <form id="cart" data-insights-conversion="purchase" data-insights-index="products" data-insights-currency="EUR" ${value}>
      ${Array.from({ length: 45 }, (_, n) => `<p data-insights-object-id="sku-${n}" data-insights-price="1.1" data-insights-quantity="2"></p>`).join('')}
    </form>`;
  const objectIDs = (from: number, to: number) => Array.from({ length: to - from }, (_, n) => `sku-${from + n}`);

  it('splits 45 objects into events of 20, 20 and 5 whose values add up to the total', async () => {
    document.body.innerHTML = bigCart();
    trail = init(options);
    submit('#cart');
    const events = await sent(3);
    expect(events.map((event) => event.objectIDs)).toEqual([objectIDs(0, 20), objectIDs(20, 40), objectIDs(40, 45)]);
    expect(events.map((event) => event.value)).toEqual([44, 44, 11]);
    expect(events.map((event) => (event.objectData as unknown[]).length)).toEqual([20, 20, 5]);
  });

  it('puts an explicit value on the first event only, so that the total adds up', async () => {
    document.body.innerHTML = bigCart('data-insights-value="80"');
    trail = init(options);
    submit('#cart');
    const events = await sent(3);
    expect(events.map((event) => [event.value, event.currency])).toEqual([
      [80, 'EUR'],
      [undefined, 'EUR'],
      [undefined, 'EUR'],
    ]);
  });

  it('splits each queryID group of a plain conversion on its own', () => {
    const items = Array.from(
      { length: 25 },
      (_, n): ConvertedItem => ({
        objectID: `sku-${n}`,
        index: 'products',
        queryID: n % 5 === 0 ? undefined : FROM_MARKUP,
        price: undefined,
        quantity: 1,
        discount: undefined,
      }),
    );
    const stamp = { userToken: 'user-1', authenticatedUserToken: undefined, timestamp: Date.now() };
    const events = conversionEvents('plain', items, undefined, undefined, 'Converted', stamp, () => {});
    expect(events.map((event) => [variantOf(event), (event.objectIDs as string[]).length])).toEqual([
      ['convertedObjectIDs', 5],
      ['convertedObjectIDsAfterSearch', 20],
    ]);
  });
});

describe('triggers', () => {
  const product = `
    <article data-insights-index="products" data-insights-object-id="sku-1">
      <button id="button" data-insights-conversion="addToCart">Add</button>
      <a id="link" href="#checkout" data-insights-conversion="purchase"><span id="link-text">Buy now</span></a>
    </article>`;

  it('converts on a button click and on a link click, inner element included, with the click’s time', async () => {
    document.body.innerHTML = product;
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    trail = init(options);
    click('#button');
    click('#link-text');
    expect(await sent(2)).toEqual([
      {
        eventType: 'conversion',
        eventSubtype: 'addToCart',
        eventName: 'Added To Cart',
        index: 'products',
        objectIDs: ['sku-1'],
        userToken: 'user-1',
        timestamp: 1_700_000_000_123,
      },
      {
        eventType: 'conversion',
        eventSubtype: 'purchase',
        eventName: 'Purchased',
        index: 'products',
        objectIDs: ['sku-1'],
        userToken: 'user-1',
        timestamp: 1_700_000_000_123,
      },
    ]);
  });

  it('counts a middle click on an object only: it opens the object’s link, and activates no button trigger or filter', async () => {
    document.body.innerHTML = `
      <article data-insights-index="products" data-insights-object-id="sku-1">
        <a id="filter" href="#brand" data-insights-filter="brand:Acme">Acme</a>
        <button id="add" data-insights-conversion="addToCart">Add</button>
        <a id="title" href="#sku-1">Title</a>
      </article>`;
    trail = init(options);
    for (const id of ['filter', 'add', 'title']) $(`#${id}`).dispatchEvent(new MouseEvent('auxclick', { bubbles: true, button: 1 }));
    // A conversion the middle click had started would arrive before this one.
    click('#add');
    await vi.waitFor(() => expect(accepted.map(variantOf)).toContain('addedToCartObjectIDs'));
    expect(accepted.map(variantOf)).toEqual(['clickedObjectIDs', 'addedToCartObjectIDs']);
  });

  it('converts on a form submit even when a later listener prevents the default', async () => {
    document.body.innerHTML = `<form id="order" data-insights-conversion="purchase"><p data-insights-index="products" data-insights-object-id="sku-1"></p></form>`;
    trail = init(options);
    $('#order').addEventListener('submit', (event) => event.preventDefault());
    const event = new Event('submit', { bubbles: true, cancelable: true });
    $('#order').dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(await sent(1)).toMatchObject([{ eventSubtype: 'purchase', objectIDs: ['sku-1'] }]);
  });

  it('sends only the conversion, not also an object click, when the submit button of a form trigger is clicked', async () => {
    document.body.innerHTML = `
      <form id="order" data-insights-conversion="addToCart" data-insights-index="products">
        <div data-insights-object-id="sku-1" data-insights-query-id="${FROM_MARKUP}"><button id="submit">Add</button></div>
      </form>`;
    trail = init(options);
    $('#order').addEventListener('submit', (event) => event.preventDefault());
    // The browser's activation of the submit button dispatches the form's submit.
    click('#submit');
    await sent(1);
    await trail.flush();
    expect(accepted.map(variantOf)).toEqual(['addedToCartObjectIDsAfterSearch']);
  });

  it('sends nothing for a click inside data-insights-ignore', async () => {
    document.body.innerHTML = `
      <article data-insights-index="products" data-insights-object-id="sku-1">
        <div data-insights-ignore><button id="ignored" data-insights-conversion="addToCart">Add</button></div>
        <button id="counted" data-insights-conversion="purchase">Buy</button>
      </article>`;
    trail = init(options);
    click('#ignored');
    click('#counted');
    await sent(1);
    await trail.flush();
    expect(accepted).toMatchObject([{ eventSubtype: 'purchase' }]);
  });

  it('names events from the nearest data-insights-event-name, else from the options', async () => {
    document.body.innerHTML = `
      <section data-insights-event-name="Checkout Step" data-insights-index="products" data-insights-object-id="sku-1">
        <button id="named" data-insights-conversion="purchase" data-insights-event-name="Order Completed">Buy</button>
        <button id="region" data-insights-conversion="addToCart">Add</button>
      </section>
      <article data-insights-index="products" data-insights-object-id="sku-2">
        <button id="plain" data-insights-conversion="">Subscribe</button>
        <button id="cart" data-insights-conversion="addToCart">Add</button>
        <button id="buy" data-insights-conversion="purchase">Buy</button>
      </article>`;
    trail = init({ ...options, conversionEventName: 'Subscribed', addToCartEventName: 'Product Added', purchaseEventName: 'Order Placed' });
    for (const id of ['named', 'region', 'plain', 'cart', 'buy']) {
      click(`#${id}`);
      await sent(accepted.length + 1);
    }
    expect(accepted.map((event) => event.eventName)).toEqual(['Order Completed', 'Checkout Step', 'Subscribed', 'Product Added', 'Order Placed']);
  });
});

describe('what this page remembers', () => {
  const page = `
    <ol data-insights-index="products" data-insights-query-id="${FROM_MARKUP}">
      <li data-insights-object-id="sku-1"><a id="result" href="#sku-1">One</a></li>
    </ol>
    <aside data-insights-index="products">
      <div data-insights-object-id="sku-1">
        <button id="add" data-insights-conversion="addToCart">Add</button>
        <button id="buy" data-insights-conversion="purchase">Buy</button>
      </div>
    </aside>`;

  it('attributes a conversion after a click on a search result to that search', async () => {
    document.body.innerHTML = page;
    trail = init(options);
    click('#add');
    const [before] = await sent(1);
    click('#result');
    click('#add');
    const [, , after] = await sent(3);
    expect(variantOf(before)).toBe('addedToCartObjectIDs');
    expect(after).toMatchObject({ eventSubtype: 'addToCart', objectIDs: ['sku-1'], queryID: FROM_MARKUP });
  });

  it('forgets the queryID of a purchased object', async () => {
    document.body.innerHTML = page;
    trail = init(options);
    click('#result');
    click('#buy');
    const [, first] = await sent(2);
    expect(first).toMatchObject({ objectData: [{ queryID: FROM_MARKUP }] });
    click('#buy');
    const [, , second] = await sent(3);
    expect(variantOf(second)).toBe('purchasedObjectIDs');
  });
});

describe('privacy', () => {
  it('never sends form field values or text', async () => {
    history.replaceState(null, '', '/checkout?email=secret%40example.com');
    document.body.innerHTML = `
      <form id="checkout" data-insights-conversion="purchase" data-insights-index="products" data-insights-currency="EUR">
        <label>Your secret e-mail <input name="email" value="secret@example.com"></label>
        <textarea name="note">secret note</textarea>
        <div data-insights-object-id="sku-1" data-insights-price="10">A secret gift</div>
        <button id="pay">Pay secretly</button>
      </form>`;
    trail = init(options);
    $('#checkout').addEventListener('submit', (event) => event.preventDefault());
    click('#pay');
    await sent(1);
    await trail.flush();
    const bodies = vi.mocked(fetch).mock.calls.map(([, request]) => String(request?.body));
    expect(bodies.length).toBeGreaterThan(0);
    for (const payload of [...accepted.map((event) => JSON.stringify(event)), ...bodies]) expect(payload).not.toContain('secret');
  });
});

describe('conversions on load and order IDs', () => {
  const confirmation = (orderId: string) => `
    <main id="order-${orderId}" data-insights-conversion="purchase" data-insights-on="load" data-insights-order-id="${orderId}"
          data-insights-index="products" data-insights-currency="EUR">
      <div data-insights-object-id="sku-1" data-insights-price="10"><a id="line" href="#line">One</a></div>
    </main>`;
  const purchases = () => accepted.filter((event) => event.eventSubtype === 'purchase');
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('converts a load trigger once, not again on a click or when a new page of a single-page app finds it again', async () => {
    document.body.innerHTML = confirmation('A-1');
    trail = init(options);
    await vi.waitFor(() => expect(purchases()).toHaveLength(1));
    expect(purchases()[0]).toMatchObject({ objectIDs: ['sku-1'], objectData: [{ price: 10, quantity: 1 }], value: 10, currency: 'EUR' });
    click('#line');
    history.pushState(null, '', '/next');
    await settle();
    expect(accepted.map(variantOf)).toEqual(['purchasedObjectIDs', 'clickedObjectIDs']);
  });

  it('sends an order once, whether it comes from markup or from the data layer, and a new order again', async () => {
    const dataLayer: unknown[] = [
      { event: 'purchase', ecommerce: { transaction_id: 'A-1', currency: 'EUR', items: [{ item_id: 'sku-1', price: 10 }] } },
    ];
    vi.stubGlobal('dataLayer', dataLayer);
    document.body.innerHTML = confirmation('A-1');
    trail = init({ ...options, dataLayer: 'dataLayer', index: 'products' });
    await vi.waitFor(() => expect(purchases()).toHaveLength(1));
    dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'A-2', currency: 'EUR', items: [{ item_id: 'sku-2', price: 5 }] } });
    document.body.insertAdjacentHTML('beforeend', confirmation('A-2'));
    await settle();
    expect(purchases().map((event) => event.objectIDs)).toEqual([['sku-1'], ['sku-2']]);
  });

  it('warns once, and converts nothing from the data layer, without the index option', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('dataLayer', [{ event: 'purchase', ecommerce: { items: [{ item_id: 'sku-1' }] } }]);
    trail = init({ ...options, dataLayer: 'dataLayer' });
    await settle();
    expect(warn.mock.calls.map((call) => call.join(' '))).toEqual(['QueryTrail: dataLayer needs the index option']);
    expect(accepted).toEqual([]);
  });
});
