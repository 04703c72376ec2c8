// The demo a newcomer runs with `npm start`: a store instrumented only with data-insights-*
// attributes, and an inspector that shows each event, its validity and the funnel per queryID.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { setupDemo } from '../support/demo';
import { pollUntil, sleep } from '../support/e2e';
import { screenshot } from '../support/screenshots';

const QUERY_ID = /^[0-9a-f]{32}$/;
const HITS_PER_PAGE = 12;
const SHOWS_UP = { timeout: 15_000 };

const running = setupDemo();
let store: Page;
let inspector: Page;
/** Console errors and uncaught exceptions of the store pages: a CSP violation shows up here. */
const storeProblems: string[] = [];

beforeAll(async () => {
  const context = await running.browser.newContext({ viewport: { width: 1280, height: 860 } });
  inspector = await context.newPage();
  await inspector.setViewportSize({ width: 1440, height: 900 });
  await inspector.goto(`${running.demo.url}/inspector`);
  await inspector.locator('[data-connection="live"]').waitFor();
  store = await context.newPage();
  store.on('console', (message) => {
    if (message.type() === 'error') storeProblems.push(message.text());
  });
  store.on('pageerror', (error) => storeProblems.push(error.message));
});

afterEach(() => {
  expect(storeProblems.splice(0)).toEqual([]);
});

/** The newest event card of a variant in the inspector, once it has arrived. */
async function eventCard(variant: string, queryID?: string): Promise<Locator> {
  const card = inspector.locator(`li.event[data-variant="${variant}"]${queryID ? `[data-query-id="${queryID}"]` : ''}`).first();
  await card.waitFor(SHOWS_UP);
  return card;
}

const field = (card: Locator, name: string) => card.locator(`dd[data-field="${name}"]`).textContent();
const funnelRow = (queryID: string) => inspector.locator(`tr[data-query-id="${queryID}"]`);
const funnelStep = (queryID: string, step: string) => funnelRow(queryID).locator(`td[data-step="${step}"]`);

async function resultsQueryID(page = 0): Promise<string> {
  const queryID = await store.locator(`ol.results[data-insights-page="${page}"]`).getAttribute('data-insights-query-id');
  expect(queryID).toMatch(QUERY_ID);
  return queryID as string;
}

describe('search → click → add to cart → purchase, seen in the inspector', () => {
  let queryID: string;
  let objectID: string;
  let price: number;
  let userToken: string | null;

  it('shows a search as the first step of its funnel', async () => {
    await store.goto(`${running.demo.url}/search?q=alpine`);
    queryID = await resultsQueryID();
    await screenshot(store, 'search');
    await funnelStep(queryID, 'search').waitFor(SHOWS_UP);
    expect(await funnelStep(queryID, 'search').textContent()).toContain('“alpine”');
  });

  it('shows a click on the second result as a valid click after search at position 2', async () => {
    const result = store.locator('ol.results > li').nth(1);
    objectID = (await result.getAttribute('data-insights-object-id')) as string;
    await result.locator('a').click();
    await store.waitForURL(`**/product/${objectID}?queryID=${queryID}`);
    price = Number(await store.locator('.buy-box').getAttribute('data-insights-price'));

    const card = await eventCard('clickedObjectIDsAfterSearch', queryID);
    expect(await card.getAttribute('data-valid')).toBe('true');
    expect(await field(card, 'objectIDs')).toBe(objectID);
    expect(await field(card, 'positions')).toBe('2');
    userToken = await field(card, 'userToken');
    expect(userToken).toMatch(/^anonymous-/);
    expect(await funnelStep(queryID, 'click').textContent()).toContain(`${objectID} @2`);
  });

  it('shows adding two to the cart as a valid add-to-cart after search with its revenue', async () => {
    await store.locator('select[name="quantity"]').selectOption('2');
    await store.getByRole('button', { name: 'Add to cart' }).click();
    await store.locator('.cart-notice').getByText('Added 2 ×').waitFor();
    // Leaving the page delivers what is waiting.
    await store.goto(`${running.demo.url}/checkout`);

    const card = await eventCard('addedToCartObjectIDsAfterSearch', queryID);
    expect(await card.getAttribute('data-valid')).toBe('true');
    expect(await field(card, 'objectIDs')).toBe(objectID);
    expect(JSON.parse((await field(card, 'objectData')) ?? '')).toMatchObject([{ price, quantity: 2 }]);
    expect(await field(card, 'value')).toBe(String(Math.round(price * 200) / 100));
    expect(await field(card, 'currency')).toBe('EUR');
    // data-use-cookie keeps the visitor's anonymous token from page to page.
    expect(await field(card, 'userToken')).toBe(userToken);
    expect(await funnelStep(queryID, 'addToCart').getAttribute('data-done')).toBe('true');
    // The button is inside the conversion trigger: pressing it is no result click.
    const clicksOnProduct = inspector.locator('li.event[data-variant^="clicked"]').filter({
      has: inspector.locator(`dd[data-field="objectIDs"]`).getByText(objectID, { exact: true }),
    });
    expect(await clicksOnProduct.count()).toBe(1);
  });

  it('shows the order as a valid purchase attributed to the search, completing the funnel', async () => {
    await store.getByRole('button', { name: 'Place order' }).click();
    await store.waitForURL('**/order/*');

    const card = await eventCard('purchasedObjectIDsAfterSearch');
    expect(await card.getAttribute('data-valid')).toBe('true');
    expect(await field(card, 'objectIDs')).toBe(objectID);
    expect(JSON.parse((await field(card, 'objectData')) ?? '')).toMatchObject([{ queryID, price, quantity: 2 }]);
    expect(await field(card, 'currency')).toBe('EUR');
    expect(await field(card, 'userToken')).toBe(userToken);
    expect(await funnelRow(queryID).getAttribute('class')).toBe('complete');
    for (const step of ['search', 'click', 'addToCart', 'purchase']) {
      expect(await funnelStep(queryID, step).getAttribute('data-done')).toBe('true');
    }
    await screenshot(inspector, 'inspector');
  });

  it('does not send the order again when its confirmation page is reloaded', async () => {
    const purchases = inspector.locator('li.event[data-variant^="purchased"]');
    expect(await purchases.count()).toBe(1);
    await store.reload();
    await store.waitForFunction(() => (window as unknown as { QueryTrail?: { instance?: unknown } }).QueryTrail?.instance, undefined, SHOWS_UP);
    // Time for the reloaded page to find its trigger and read what earlier pages stored, then a send.
    await sleep(1_000);
    await store.evaluate(() => (window as unknown as { QueryTrail: { instance: { flush(): Promise<void> } } }).QueryTrail.instance.flush());
    await sleep(500);
    expect(await purchases.count()).toBe(1);
  });
});

describe('the rest of the store', () => {
  it('appends the next page on scroll as its own container, and counts a click there from that page', async () => {
    await store.goto(`${running.demo.url}/search?q=`);
    const firstPageQueryID = await resultsQueryID(0);
    // The demo's own infinite scroll may have replaced the pagination already: scrolled to only if it is still there.
    await store.evaluate(() => document.querySelector('.pagination')?.scrollIntoView());
    const secondPage = store.locator('ol.results[data-insights-page="1"]');
    await secondPage.waitFor();
    const secondPageQueryID = await resultsQueryID(1);
    expect(secondPageQueryID).not.toBe(firstPageQueryID);

    const third = secondPage.locator('li').nth(2);
    const objectID = await third.getAttribute('data-insights-object-id');
    await third.locator('a').click();
    await store.waitForURL(`**/product/${objectID}?queryID=${secondPageQueryID}`);
    const card = await eventCard('clickedObjectIDsAfterSearch', secondPageQueryID);
    expect(await field(card, 'positions')).toBe(String(HITS_PER_PAGE + 3));
  });

  it('shows a facet click as clickedFilters', async () => {
    await store.goto(`${running.demo.url}/search?q=lamp`);
    const facet = store.locator('a[data-insights-filter^="brand:"]').first();
    const filter = await facet.getAttribute('data-insights-filter');
    await facet.click();
    await store.waitForURL('**brand=*');
    const card = inspector
      .locator('li.event[data-variant="clickedFilters"]')
      .filter({ hasText: filter as string })
      .first();
    await card.waitFor(SHOWS_UP);
    expect(await card.getAttribute('data-valid')).toBe('true');
    expect(await field(card, 'index')).toBe('demo_products');
  });

  it('gets QueryTrail on the legacy page only through the tag manager stand-in, which forwards its events to dataLayer', async () => {
    await store.goto(`${running.demo.url}/legacy`);
    expect(await store.locator('script[src="/dist/querytrail.min.js"][data-app-id]').count()).toBe(0);
    await store.waitForFunction(() => (window as unknown as { QueryTrail?: { instance?: unknown } }).QueryTrail?.instance, undefined, SHOWS_UP);

    // Opening the pick in a new tab keeps this page, and its dataLayer, alive.
    const pick = store.locator('[data-insights-object-id]').first();
    const objectID = await pick.getAttribute('data-insights-object-id');
    const newTab = store.context().waitForEvent('page');
    await pick.locator('a').click({ modifiers: ['ControlOrMeta'] });
    await (await newTab).close();
    const forwarded = await store.waitForFunction(
      () => {
        const layer = (window as unknown as { dataLayer?: { event?: string; querytrailEvent?: { eventName?: string } | null }[] }).dataLayer ?? [];
        const at = layer.findIndex((entry) => entry.event === 'querytrail' && entry.querytrailEvent?.eventName === 'Staff Pick Clicked');
        // Each forwarded event follows a reset of the key: GTM's data model merges nested objects.
        return at > 0 && layer[at - 1]?.querytrailEvent === null && layer[at]?.querytrailEvent;
      },
      undefined,
      SHOWS_UP,
    );
    expect(await forwarded.jsonValue()).toMatchObject({ eventType: 'click', objectIDs: [objectID] });
    await store.goto(`${running.demo.url}/cart`);

    const card = inspector.locator('li.event[data-variant="clickedObjectIDs"]').filter({ hasText: 'Staff Pick Clicked' }).first();
    await card.waitFor(SHOWS_UP);
    expect(await field(card, 'objectIDs')).toBe(objectID);
  });
});

describe('a product page’s related products', () => {
  type Sent = { eventType?: string; eventSubtype?: string; objectIDs?: string[]; queryID?: string };
  /** The first event the store sent that passes `where`, once it arrived. */
  async function sentEvent(where: (event: Sent) => boolean): Promise<Sent> {
    const find = () => running.demo.collector.received.map(({ event }) => event as Sent).find(where);
    await pollUntil(
      () => find() !== undefined,
      SHOWS_UP.timeout,
      () => 'the event never reached the demo’s collector',
    );
    return find() as Sent;
  }
  const addToCartOf = (objectID: string) => (event: Sent) => event.eventSubtype === 'addToCart' && event.objectIDs?.[0] === objectID;
  const relatedCard = (objectID: string) => store.locator(`section.related li[data-insights-object-id="${objectID}"]`);

  it('are not attributed to the search that led to the product, but to the search they came from, if any', async () => {
    // Search A leads to a product; its related products are listed below it.
    await store.goto(`${running.demo.url}/search?q=runner`);
    const searchA = await resultsQueryID();
    const result = store.locator('ol.results > li').first();
    const product = (await result.getAttribute('data-insights-object-id')) as string;
    await result.locator('a').click();
    await store.waitForURL(`**/product/${product}?queryID=${searchA}`);
    const landingUrl = store.url();
    const [fromSearchB, neverSearched] = (await store.locator('section.related li').evaluateAll((cards) =>
      cards.map((card) => ({
        objectID: card.getAttribute('data-insights-object-id') as string,
        name: card.querySelector('.card-name')?.textContent ?? '',
      })),
    )) as Array<{ objectID: string; name: string }>;
    if (!fromSearchB || !neverSearched) throw new Error('the product page lists fewer than two related products');

    // Search B, on its own, leads to one of those related products.
    await store.goto(`${running.demo.url}/search?q=${encodeURIComponent(fromSearchB.name)}`);
    const searchB = await resultsQueryID();
    await store.locator(`ol.results > li[data-insights-object-id="${fromSearchB.objectID}"] a`).click();
    await store.waitForURL(`**/product/${fromSearchB.objectID}?queryID=${searchB}`);

    // Back on the landing page of search A: the product, then two related products, into the cart.
    await store.goto(landingUrl);
    await store.locator('.buy-box').getByRole('button', { name: 'Add to cart' }).click();
    await store.locator('.cart-notice').getByText('Added 1 ×').waitFor();
    await relatedCard(fromSearchB.objectID).getByRole('button').click();
    await store.locator('.cart-notice').getByText(`${fromSearchB.name} to your cart`).waitFor();
    await relatedCard(neverSearched.objectID).getByRole('button').click();
    await store.locator('.cart-notice').getByText(`${neverSearched.name} to your cart`).waitFor();
    // A click on a related product is a click without a search: its markup carries no queryID.
    await relatedCard(neverSearched.objectID).locator('a').click();
    await store.waitForURL(`**/product/${neverSearched.objectID}`);

    expect(await sentEvent(addToCartOf(product))).toMatchObject({ queryID: searchA });
    expect(await sentEvent(addToCartOf(fromSearchB.objectID))).toMatchObject({ queryID: searchB });
    expect(await sentEvent(addToCartOf(neverSearched.objectID))).not.toHaveProperty('queryID');
    const relatedClick = await sentEvent((event) => event.eventType === 'click' && event.objectIDs?.[0] === neverSearched.objectID);
    expect(relatedClick).not.toHaveProperty('queryID');
  });
});

describe('demo server', () => {
  it('answers every search with a fresh Algolia-style queryID on an instrumented results container', async () => {
    const pages = await Promise.all([1, 2].map(() => fetch(`${running.demo.url}/search?q=runner`)));
    const [first, second] = await Promise.all(pages.map((response) => response.text()));
    const queryIDOf = (body: string | undefined) => /data-insights-query-id="([^"]*)"/.exec(body ?? '')?.[1];
    expect(queryIDOf(first)).toMatch(QUERY_ID);
    expect(queryIDOf(second)).toMatch(QUERY_ID);
    expect(queryIDOf(first)).not.toBe(queryIDOf(second));
    expect(first).toContain('data-insights-index="demo_products"');
    expect(first).toContain(`data-insights-page="0" data-insights-hits-per-page="${HITS_PER_PAGE}"`);
    expect(first).toContain(`?queryID=${queryIDOf(first)}"`);
    expect(first).toContain('data-insights-filter="brand:');
    expect(pages[0]?.headers.get('content-security-policy')).toBe("default-src 'self'");
  });

  it('serves the next page as a fragment with its own queryID and page number', async () => {
    const fragment = await (await fetch(`${running.demo.url}/search/fragment?q=&page=1`)).text();
    expect(fragment).toMatch(/data-insights-query-id="[0-9a-f]{32}" data-insights-page="1"/);
    expect(fragment).not.toContain('<html');
  });

  it('serves QueryTrail, the stand-in tag manager script and a 404 for unknown products', async () => {
    const script = await fetch(`${running.demo.url}/dist/querytrail.min.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${running.demo.url}/static/tag-manager.js`)).status).toBe(200);
    expect((await fetch(`${running.demo.url}/product/no-such-product`)).status).toBe(404);
  });
});

describe('the inspector', () => {
  const post = (events: unknown[]) =>
    fetch(`${running.demo.url}/1/events?X-Algolia-Application-Id=DEMO&X-Algolia-API-Key=demo-search-key`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ events }),
    });
  const click = (queryID: string, positions: number[]) => ({
    eventType: 'click',
    eventName: 'Hit Clicked',
    index: 'demo_products',
    userToken: 'inspector-test',
    objectIDs: ['sku-1001'],
    queryID,
    positions,
    timestamp: Date.now(),
  });

  it('names the validator in use', async () => {
    expect(await inspector.locator('[data-validator]').textContent()).toBe(running.demo.validatorName);
  });

  it('marks an invalid event invalid, with the reason, and as not recorded', async () => {
    const queryID = 'f'.repeat(32);
    expect((await post([click(queryID, [1, 2])])).status).toBe(422);
    const card = await eventCard('clickedObjectIDsAfterSearch', queryID);
    expect(await card.getAttribute('data-valid')).toBe('false');
    expect(await card.locator('.errors').textContent()).toContain('same number of ObjectIDs and Positions');
    expect(await card.locator('.not-recorded').textContent()).toContain('422');
    expect(await funnelRow(queryID).count()).toBe(0);
  });

  it('flags a queryID that the store’s search never returned', async () => {
    const queryID = 'e'.repeat(32);
    expect((await post([click(queryID, [1])])).status).toBe(200);
    await funnelStep(queryID, 'search').waitFor(SHOWS_UP);
    expect(await funnelStep(queryID, 'search').textContent()).toContain('unknown queryID');
  });

  it('empties the event list on Clear', async () => {
    await inspector.getByRole('button', { name: 'Clear' }).click();
    await inspector.locator('[data-events-empty]').waitFor();
    expect(await inspector.locator('li.event').count()).toBe(0);
    expect(await inspector.locator('[data-counts]').textContent()).toBe('0 events · 0 valid · 0 invalid');
    expect(running.demo.collector.received).toEqual([]);
  });
});
