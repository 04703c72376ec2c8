import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NOTHING_STORED, storedData, withoutEmptyDatabases } from '../support/stored';
import {
  expectNoMoreEvents,
  flush,
  pollUntil,
  postRequests,
  setupE2E,
  sleep,
  waitForEvents,
  waitForQueryTrail,
  type TrackedPage,
} from '../support/e2e';

const e2e = setupE2E();

// queryIDs written into the fixtures under test/e2e/fixtures/conv/.
const RESULT_A_QUERY_ID = '11111111111111111111111111111111';
/**
 * Three of sku-a at 19.99 added to the cart after result A was clicked: what the product page's
 * form sends, and what the data layer's add_to_cart entry for it sends too.
 */
const ADD_TO_CART_A = {
  eventType: 'conversion',
  eventSubtype: 'addToCart',
  eventName: 'Added To Cart',
  index: 'products',
  queryID: RESULT_A_QUERY_ID,
  objectIDs: ['sku-a'],
  objectData: [{ price: 19.99, quantity: 3 }],
  value: 59.97,
  currency: 'EUR',
  userToken: 'conv-user',
  timestamp: expect.any(Number),
};
const RESULT_B_QUERY_ID = '22222222222222222222222222222222';
const TTL_QUERY_ID = '33333333333333333333333333333333';
const CONSENT_QUERY_ID = '44444444444444444444444444444444';
const NO_IDB_QUERY_ID = '66666666666666666666666666666666';
const NO_IDB_LANDING_QUERY_ID = '77777777777777777777777777777777';
const PRIVACY_QUERY_ID = '88888888888888888888888888888888';
const LANDING_QUERY_ID = '0123456789abcdef0123456789abcdef';

// data-query-id-ttl of the ttl-*.html fixtures.
const TTL_MS = 1_000;
const QUERY_ID_DATABASE = 'querytrail-query-ids';

type Event = Record<string, unknown>;

const isClickOn = (objectID: string) => (event: Event) => event.eventType === 'click' && String(event.objectIDs) === objectID;
const isConversion = (subtype: string | undefined, objectIDs: string) => (event: Event) =>
  event.eventType === 'conversion' && event.eventSubtype === subtype && String(event.objectIDs) === objectIDs;

const summaryOf = (event: Event) => `${String(event.eventSubtype ?? event.eventType)} ${String(event.objectIDs)}`;

/** Waits until the page has dispatched a `querytrail:event` that passes `where`: the event is built and queued. */
async function waitForAccepted(tracked: TrackedPage, where: (event: Event) => boolean): Promise<void> {
  await pollUntil(
    async () => (await tracked.probe()).acceptedEvents.some((event) => where(event as Event)),
    5_000,
    () => `no matching querytrail:event on ${tracked.page.url()}`,
  );
}

/** `destination`: how the new URL's path and query string start. */
async function clickAndWaitForNavigation(page: Page, selector: string, destination: string): Promise<void> {
  await Promise.all([page.waitForURL((url) => (url.pathname + url.search).startsWith(destination)), page.click(selector)]);
  await waitForQueryTrail(page);
}

/**
 * Records the raw body of every request to the collector until the test ends. The harness's server
 * looks `collector.handle` up on each request, and a second `data` listener sees every chunk too.
 */
function recordRawBodies(): string[] {
  const { collector } = e2e;
  const handle = collector.handle;
  const received: string[] = [];
  collector.handle = (req, res) => {
    if (new URL(req.url ?? '/', 'http://collector.invalid').pathname === '/1/events' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => received.push(Buffer.concat(chunks).toString('utf8')));
    }
    return handle(req, res);
  };
  onTestFinished(() => {
    collector.handle = handle;
  });
  return received;
}

async function cookieNames(page: Page): Promise<string[]> {
  return (await page.context().cookies()).map(({ name }) => name);
}

describe('a conversion on a later page is attributed to the search that led to the object', () => {
  it('carries each object’s queryID from the result click through add-to-cart and checkout, and forgets it after the purchase', async () => {
    const tracked = await e2e.open('/conv/results.html');
    const { page } = tracked;

    await clickAndWaitForNavigation(page, '#result-a', '/conv/product-a.html');
    const [clickA] = await waitForEvents(e2e.collector, 1, isClickOn('sku-a'));
    expect(clickA).toEqual({
      eventType: 'click',
      eventName: 'Hit Clicked',
      index: 'products',
      queryID: RESULT_A_QUERY_ID,
      objectIDs: ['sku-a'],
      positions: [1],
      userToken: 'conv-user',
      timestamp: expect.any(Number),
    });

    // The shop's AJAX cart prevents the submit; the page stays.
    await page.click('#add-to-cart-button');
    await expect.poll(() => page.textContent('#add-to-cart .cart-status')).toBe('Added to your cart');
    expect(new URL(page.url()).pathname).toBe('/conv/product-a.html');
    await waitForAccepted(tracked, isConversion('addToCart', 'sku-a'));

    await page.goBack();
    await waitForQueryTrail(page);
    const [addToCart] = await waitForEvents(e2e.collector, 1, isConversion('addToCart', 'sku-a'));
    expect(addToCart).toEqual(ADD_TO_CART_A);

    await clickAndWaitForNavigation(page, '#result-b', '/conv/product-b.html');
    const [clickB] = await waitForEvents(e2e.collector, 1, isClickOn('sku-b'));
    expect(clickB).toMatchObject({ eventType: 'click', index: 'products', queryID: RESULT_B_QUERY_ID, objectIDs: ['sku-b'], positions: [1] });

    await clickAndWaitForNavigation(page, '#to-checkout', '/conv/checkout.html');
    // "Place order" submits the checkout form: the purchase leaves as the page does.
    await clickAndWaitForNavigation(page, '#place-order', '/conv/quick-buy.html');
    const [purchase] = await waitForEvents(e2e.collector, 1, isConversion('purchase', 'sku-a,sku-b'));
    expect(purchase).toEqual({
      eventType: 'conversion',
      eventSubtype: 'purchase',
      eventName: 'Purchased',
      index: 'products',
      objectIDs: ['sku-a', 'sku-b'],
      objectData: [
        { queryID: RESULT_A_QUERY_ID, price: 19.99, quantity: 3 },
        { queryID: RESULT_B_QUERY_ID, price: 4.1, quantity: 3 },
      ],
      // 59.97 + 12.3, where 4.1 × 3 alone is 12.299999999999999 in floating point.
      value: 72.27,
      currency: 'EUR',
      userToken: 'conv-user',
      timestamp: expect.any(Number),
    });

    await page.click('#buy-again');
    const [secondPurchase] = await waitForEvents(e2e.collector, 1, isConversion('purchase', 'sku-a'));
    expect(secondPurchase).toEqual({
      eventType: 'conversion',
      eventSubtype: 'purchase',
      eventName: 'Purchased',
      index: 'products',
      objectIDs: ['sku-a'],
      objectData: [{ price: 19.99, quantity: 1 }],
      value: 19.99,
      currency: 'EUR',
      userToken: 'conv-user',
      timestamp: expect.any(Number),
    });
    await expectNoMoreEvents(e2e.collector, 5);
    // Each interaction arrived exactly once, in the order the user made them.
    expect(e2e.collector.received.map(({ event }) => summaryOf(event as Event))).toEqual([
      'click sku-a',
      'addToCart sku-a',
      'click sku-b',
      'purchase sku-a,sku-b',
      'purchase sku-a',
    ]);
  });

  it('attributes an add-to-cart on a landing page to the queryID in its URL', async () => {
    const tracked = await e2e.open(`/conv/product-a.html?queryID=${LANDING_QUERY_ID}`);
    await tracked.page.click('#add-to-cart-button');
    await waitForAccepted(tracked, isConversion('addToCart', 'sku-a'));
    await flush(tracked.page);

    const [addToCart] = await waitForEvents(e2e.collector, 1);
    expect(addToCart).toMatchObject({
      eventSubtype: 'addToCart',
      queryID: LANDING_QUERY_ID,
      objectIDs: ['sku-a'],
      objectData: [{ price: 19.99, quantity: 3 }],
      value: 59.97,
      currency: 'EUR',
    });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('remembers a landing page’s queryID for a conversion on a later page without it', async () => {
    const { page } = await e2e.open(`/conv/product-a.html?queryID=${LANDING_QUERY_ID}`);
    await clickAndWaitForNavigation(page, '#buy-now', '/conv/quick-buy.html');
    await page.click('#buy-again');

    const [purchase] = await waitForEvents(e2e.collector, 1);
    expect(purchase).toMatchObject({
      eventSubtype: 'purchase',
      objectIDs: ['sku-a'],
      objectData: [{ queryID: LANDING_QUERY_ID, price: 19.99, quantity: 1 }],
      value: 19.99,
    });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('no longer attributes a conversion once the remembered queryID is older than queryIdTtl', async () => {
    const tracked = await e2e.open('/conv/ttl-results.html');
    const { page } = tracked;
    await clickAndWaitForNavigation(page, '#result-t', '/conv/ttl-product.html');

    // Within the TTL (data-query-id-ttl="1" second) the conversion is still attributed.
    await page.click('#save');
    const [early] = await waitForEvents(e2e.collector, 1, isConversion(undefined, 'sku-t'));
    const [click] = await waitForEvents(e2e.collector, 1, isClickOn('sku-t'));
    const clickedAt = Number(click?.timestamp);
    expect(Number(early?.timestamp) - clickedAt, 'the page was too slow to convert within the TTL').toBeLessThan(TTL_MS);
    expect(early).toMatchObject({ queryID: TTL_QUERY_ID });

    await sleep(Math.max(0, clickedAt + TTL_MS + 300 - Date.now()));
    await page.click('#save');
    await page.click('#add-to-cart');
    const conversions = await waitForEvents(e2e.collector, 3, (event) => event.eventType === 'conversion');
    const lateConversion = conversions.filter(isConversion(undefined, 'sku-t'))[1];
    const lateAddToCart = conversions.find(isConversion('addToCart', 'sku-t'));
    expect(lateConversion).toEqual({
      eventType: 'conversion',
      eventName: 'Converted',
      index: 'products',
      objectIDs: ['sku-t'],
      userToken: 'conv-user',
      timestamp: expect.any(Number),
    });
    expect(lateAddToCart).toEqual({
      eventType: 'conversion',
      eventSubtype: 'addToCart',
      eventName: 'Added To Cart',
      index: 'products',
      objectIDs: ['sku-t'],
      userToken: 'conv-user',
      timestamp: expect.any(Number),
    });
    // The result click, and the three conversions.
    await expectNoMoreEvents(e2e.collector, 4);
  });
});

describe('a conversion trigger without objects', () => {
  it('is rejected with querytrail:reject and sends nothing', async () => {
    const { page, probe } = await e2e.open('/conv/empty-cart.html');
    await page.click('#place-order');

    await pollUntil(
      async () => (await probe()).rejects.length > 0,
      2_000,
      () => 'no querytrail:reject for the empty cart',
    );
    expect((await probe()).rejects).toEqual([{ rule: expect.stringContaining('data-insights-items'), elementId: 'place-order' }]);
    await flush(page);
    // Several flush intervals (200 ms) for a late send to show up.
    await sleep(600);
    expect(e2e.collector.requests).toEqual([]);
  });
});

describe('storage consent and opt-out', () => {
  it('sends events but stores nothing while consent is pending, and starts storing once granted', async () => {
    const tracked = await e2e.open('/conv/consent-results.html');
    const { page } = tracked;
    // An add-to-cart after search and a click after search: both would be remembered with consent.
    await page.click('#quick-add');
    await waitForAccepted(tracked, isConversion('addToCart', 'sku-c'));
    // The result link is also a landing with ?queryID=…, the third thing that would be remembered.
    await clickAndWaitForNavigation(page, '#result-c', '/conv/consent-product.html');
    await page.click('#add-to-cart button');
    await waitForAccepted(tracked, isConversion('addToCart', 'sku-c'));
    await clickAndWaitForNavigation(page, '#to-cart', '/conv/consent-cart.html');
    await page.click('#save');

    const events = await waitForEvents(e2e.collector, 4);
    expect(events.filter(isConversion('addToCart', 'sku-c'))).toEqual([
      expect.objectContaining({ queryID: CONSENT_QUERY_ID }),
      expect.objectContaining({ queryID: CONSENT_QUERY_ID }),
    ]);
    expect(events.filter(isClickOn('sku-c'))).toEqual([expect.objectContaining({ queryID: CONSENT_QUERY_ID, positions: [1] })]);
    // Nothing carried the queryID from the landing page to the cart.
    expect(events.filter(isConversion(undefined, 'sku-c'))).toEqual([expect.not.objectContaining({ queryID: expect.anything() })]);
    await expectNoMoreEvents(e2e.collector, 4);

    expect(withoutEmptyDatabases(await storedData(page))).toEqual(NOTHING_STORED);
    expect(await cookieNames(page)).toEqual([]);

    // The same pages do store once the user agrees, so the checks above could see storage.
    await page.goBack();
    await waitForQueryTrail(page);
    await page.evaluate(() => window.QueryTrail?.instance.setConsent('granted'));
    await page.click('#add-to-cart button');
    await expect.poll(async () => (await storedData(page)).indexedDB[QUERY_ID_DATABASE] ?? 0).toBeGreaterThan(0);
    expect(await cookieNames(page)).toEqual(['_ALGOLIA']);
  });

  it('sends nothing and stores nothing when the user opted out', async () => {
    const tracked = await e2e.open('/conv/opt-out.html');
    const { page } = tracked;
    await page.click('#title-o');
    await page.click('#quick-add');
    await page.click('#buy button');
    await expect.poll(() => page.textContent('#buy .cart-status')).toBe('Added to your cart');
    // Leaving the page is when waiting events would go out by beacon.
    await clickAndWaitForNavigation(page, '#next-page', '/conv/opt-out.html?page=2');
    await flush(page);
    // Several flush intervals (200 ms) for any send to show up.
    await sleep(700);

    expect(e2e.collector.requests).toEqual([]);
    expect(withoutEmptyDatabases(await storedData(page))).toEqual(NOTHING_STORED);
    expect(await cookieNames(page)).toEqual([]);
  });
});

describe('a browser where IndexedDB throws', () => {
  it('still attributes clicks and conversions from the markup, the landing URL and what happened on the same page', async () => {
    const tracked = await e2e.open('/conv/no-idb.html');
    const { page } = tracked;
    // As in blocked-storage modes: every open throws synchronously.
    await page.context().addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    await page.reload();
    await waitForQueryTrail(page);
    expect(await page.evaluate(() => indexedDB.open('probe').readyState).catch((error: unknown) => String(error))).toMatch(/SecurityError/);

    await page.click('#title-n');
    await page.click('#quick-add');
    const [click, addToCart] = await waitForEvents(e2e.collector, 2);
    expect(click).toMatchObject({ eventType: 'click', queryID: NO_IDB_QUERY_ID, objectIDs: ['sku-n'], positions: [1] });
    expect(addToCart).toMatchObject({
      eventSubtype: 'addToCart',
      queryID: NO_IDB_QUERY_ID,
      objectIDs: ['sku-n'],
      objectData: [{ price: 30, quantity: 1 }],
      value: 30,
      currency: 'EUR',
    });

    await clickAndWaitForNavigation(page, '#landing-link', '/conv/product-a.html');
    await page.click('#add-to-cart-button');
    await waitForAccepted(tracked, isConversion('addToCart', 'sku-a'));
    await flush(page);
    const [landingAddToCart] = await waitForEvents(e2e.collector, 1, isConversion('addToCart', 'sku-a'));
    expect(landingAddToCart).toMatchObject({ queryID: NO_IDB_LANDING_QUERY_ID, objectIDs: ['sku-a'], value: 59.97 });
    await expectNoMoreEvents(e2e.collector, 3);
    expect(tracked.queryTrailErrors()).toEqual([]);
  });
});

describe('privacy of conversion payloads', () => {
  it('never sends form field values, text content or page URLs', async () => {
    const tracked = await e2e.open('/conv/privacy.html');
    const { page } = tracked;
    // Page-exit beacons reach neither Playwright's request events nor a CDP Network session, so bodies are read where they arrive.
    const bodies = recordRawBodies();
    await page.click('#title-p');
    // A real submit: the email goes into the next page's URL.
    await clickAndWaitForNavigation(page, '#notify button', '/conv/privacy-done.html?email=secret');
    await page.click('#title-p');
    await page.click('#save');

    const events = await waitForEvents(e2e.collector, 4);
    expect(events.filter(isConversion('addToCart', 'sku-p'))).toEqual([
      expect.objectContaining({ queryID: PRIVACY_QUERY_ID, objectData: [{ price: 9.5, quantity: 1 }], value: 9.5, currency: 'EUR' }),
    ]);
    expect(events.filter(isConversion(undefined, 'sku-p'))).toEqual([expect.objectContaining({ queryID: PRIVACY_QUERY_ID })]);
    await expectNoMoreEvents(e2e.collector, 4);

    expect(bodies, 'a raw body for every request').toHaveLength(postRequests(e2e.collector).length);
    expect(bodies.filter((body) => /secret|example\.com/i.test(body))).toEqual([]);
    expect(e2e.collector.requests.filter(({ url }) => /secret|example\.com/i.test(url))).toEqual([]);
  });
});

describe('conversions from the data layer', () => {
  it('converts GA4 add_to_cart and purchase entries pushed before and after load with the remembered queryIDs, once each, also after the tag manager replaced the array', async () => {
    const tracked = await e2e.open('/conv/results.html');
    const { page } = tracked;
    await clickAndWaitForNavigation(page, '#result-a', '/conv/product-a.html');
    await page.goto(e2e.url('/conv/data-layer.html'));
    await waitForQueryTrail(page);

    // Pushed before QueryTrail loaded.
    const [addToCart] = await waitForEvents(e2e.collector, 1, isConversion('addToCart', 'sku-a'));
    expect(addToCart).toEqual(ADD_TO_CART_A);

    // Pushed after load, by gtag: the array still works as it did for the page.
    const lengths = await page.evaluate(() => {
      const layer = (window as unknown as { dataLayer: unknown[] }).dataLayer;
      const before = layer.length;
      const gtag = (window as unknown as { gtag: (...args: unknown[]) => void }).gtag;
      gtag('event', 'purchase', { transaction_id: 'T-1', currency: 'EUR', value: 19.99, items: [{ item_id: 'sku-a', price: 19.99 }] });
      const returned = layer.push({ event: 'page_view' });
      return { before, after: layer.length, returned };
    });
    expect(lengths).toEqual({ before: lengths.before, after: lengths.before + 2, returned: lengths.before + 2 });
    const [purchase] = await waitForEvents(e2e.collector, 1, isConversion('purchase', 'sku-a'));
    expect(purchase).toMatchObject({
      eventSubtype: 'purchase',
      eventName: 'Purchased',
      objectIDs: ['sku-a'],
      objectData: [{ queryID: RESULT_A_QUERY_ID, price: 19.99, quantity: 1 }],
      value: 19.99,
      currency: 'EUR',
    });

    // A tag manager wraps push, then puts a copy of the array in its place, and the page pushes there.
    await page.evaluate(() => {
      const global = window as unknown as { dataLayer: unknown[] };
      const ownPush = global.dataLayer.push;
      global.dataLayer.push = function (...entries: unknown[]) {
        return ownPush.apply(this, entries);
      };
      global.dataLayer = global.dataLayer.slice();
      global.dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_id: 'sku-c', price: 5 }] } });
      // Bad data, as bad markup: refused with a warning.
      global.dataLayer.push({ event: 'add_to_cart', ecommerce: { currency: 'EUR', items: [{ item_name: 'no ID', price: 5 }] } });
    });
    const [late] = await waitForEvents(e2e.collector, 1, isConversion('addToCart', 'sku-c'));
    expect(late).not.toHaveProperty('queryID');
    await pollUntil(
      async () => (await tracked.probe()).rejects.length > 0,
      3_000,
      () => 'no querytrail:reject for the item without item_id',
    );
    expect((await tracked.probe()).rejects).toEqual([{ rule: expect.stringContaining('objectIDs'), elementId: null }]);
    // Two more checks of the data layer, and nothing was converted twice.
    await expectNoMoreEvents(e2e.collector, 4, 2_200);
    expect(e2e.collector.received.map(({ event }) => summaryOf(event as Event))).toEqual([
      'click sku-a',
      'addToCart sku-a',
      'purchase sku-a',
      'addToCart sku-c',
    ]);
  });
});

describe('a confirmation page', () => {
  const purchases = [isConversion('purchase', 'sku-a'), isConversion('purchase', 'sku-b')];

  it('sends its purchases (markup on load, and the data layer) once, also when it is reloaded or visited again; a click on it is no purchase', async () => {
    const { page } = await e2e.open('/conv/confirmation.html');
    const [fromMarkup] = await waitForEvents(e2e.collector, 1, purchases[0]);
    expect(fromMarkup).toEqual({
      eventType: 'conversion',
      eventSubtype: 'purchase',
      eventName: 'Purchased',
      index: 'products',
      objectIDs: ['sku-a'],
      objectData: [{ price: 19.99, quantity: 3 }],
      value: 59.97,
      currency: 'EUR',
      userToken: 'conv-user',
      timestamp: expect.any(Number),
    });
    const [fromDataLayer] = await waitForEvents(e2e.collector, 1, purchases[1]);
    expect(fromDataLayer).toMatchObject({ objectIDs: ['sku-b'], objectData: [{ price: 4.1, quantity: 3 }], value: 12.3, currency: 'EUR' });

    await page.click('#line-a');
    await waitForEvents(e2e.collector, 1, isClickOn('sku-a'));
    await page.reload();
    await waitForQueryTrail(page);
    await page.goto(e2e.url('/conv/confirmation.html'));
    await waitForQueryTrail(page);
    await flush(page);
    await expectNoMoreEvents(e2e.collector, 3, 1_000);
  });

  it('without storage consent, keeps its order IDs for the page load only: a reload sends the purchases again', async () => {
    const { page } = await e2e.open('/conv/confirmation-no-consent.html');
    await waitForEvents(e2e.collector, 2, (event) => purchases.some((is) => is(event)));
    await page.reload();
    await waitForQueryTrail(page);
    const events = await waitForEvents(e2e.collector, 4);
    expect(events.map(summaryOf).sort()).toEqual(['purchase sku-a', 'purchase sku-a', 'purchase sku-b', 'purchase sku-b']);
    await expectNoMoreEvents(e2e.collector, 4);
    expect(withoutEmptyDatabases(await storedData(page))).toEqual(NOTHING_STORED);
  });
});
