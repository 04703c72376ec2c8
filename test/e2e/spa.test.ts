// A single-page store whose router changes pages with the History API (fixtures/spa*.html, .js):
// every event's queryID and user token, route by route, as a person would expect them.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoMoreEvents, flush, setupE2E, waitForEvents, waitForQueryTrail } from '../support/e2e';

const e2e = setupE2E();
const LAMP = 'a1'.repeat(16);
const DESK = 'b2'.repeat(16);

type Sent = Record<string, unknown> & { objectIDs?: string[] };
const sent = async (count: number): Promise<Sent[]> => waitForEvents(e2e.collector, count);
/** What each event says, in short: its kind, its objects, and the search it goes to. */
const summaryOf = (event: Sent) =>
  [
    event.eventType === 'conversion' ? event.eventSubtype : event.eventType,
    event.objectIDs?.join(','),
    event.queryID ?? (event.objectData as Array<{ queryID?: string }> | undefined)?.map((data) => data.queryID ?? '-').join(',') ?? '-',
  ].join(' ');

/** Follows a link as a person would, and waits until the router rendered the new URL. */
async function go(page: Page, selector: string, path: string) {
  await page.click(selector);
  await page.waitForURL(`**${path}`);
}

afterEach(() => {
  expect(new Set(e2e.collector.received.map(({ event }) => (event as Sent).userToken)).size, 'one user token for the visit').toBeLessThanOrEqual(1);
});

describe('a single-page store, route by route', () => {
  it('attributes each click and conversion to the search it came from, with one token', async () => {
    const { page } = await e2e.open('/spa.html');
    const token = await page.evaluate(() => window.QueryTrail?.instance?.getUserToken());
    expect(token).toMatch(/^anonymous-/);

    // Search route: a result clicked after the search for lamps.
    await go(page, '#search-lamp', '/spa/search?q=lamp');
    await go(page, '#result-sku-lamp-1', `/spa/product/sku-lamp-1?queryID=${LAMP}`);
    // Product route reached with ?queryID=: the product goes to that search, the related products do not.
    await page.click('#add-sku-lamp-1');
    await page.click('#add-sku-desk-2');
    // A related product: a click without a search, and a product route without ?queryID=.
    await go(page, '#related-sku-chair-9', '/spa/product/sku-chair-9');
    await page.click('#add-sku-chair-9');
    // The router replaces the whole results list: another search, another queryID.
    await go(page, '#search-desk', '/spa/search?q=desk');
    await go(page, '#result-sku-desk-1', `/spa/product/sku-desk-1?queryID=${DESK}`);
    // Back to the lamp: popstate brings its ?queryID= back.
    await page.goBack();
    await page.goBack();
    await page.waitForURL(`**/spa/product/sku-chair-9`);
    await page.goBack();
    await page.waitForURL(`**/spa/product/sku-lamp-1?queryID=${LAMP}`);
    await page.click('#add-sku-lamp-2');
    // Cart route: the purchase takes each line's remembered search.
    await page.goForward();
    await page.waitForURL('**/spa/product/sku-chair-9');
    await go(page, '#cart', '/spa/cart');
    await page.click('#purchase');
    await flush(page);

    const events = await sent(8);
    expect(events.map(summaryOf)).toEqual([
      `click sku-lamp-1 ${LAMP}`,
      `addToCart sku-lamp-1 ${LAMP}`,
      // Never searched: not the lamp's search, although it was added on the lamp's page.
      'addToCart sku-desk-2 -',
      'click sku-chair-9 -',
      'addToCart sku-chair-9 -',
      `click sku-desk-1 ${DESK}`,
      // On the lamp's page again, a related lamp never clicked in a search: no queryID.
      'addToCart sku-lamp-2 -',
      `purchase sku-lamp-1,sku-desk-2,sku-chair-9,sku-lamp-2 ${LAMP},-,-,-`,
    ]);
    expect(events.every((event) => event.userToken === token)).toBe(true);
    await expectNoMoreEvents(e2e.collector, 8);
  });
});

describe('the landing queryID of a single-page app', () => {
  it('belongs to the page it came with, not to the pages the router shows after it', async () => {
    const LANDING = 'c3'.repeat(16);
    const { page } = await e2e.open(`/spa.html?queryID=${LANDING}`);
    await page.click('#add-sku-lamp-3');
    await go(page, '#search-desk', '/spa/search?q=desk');
    await go(page, '#result-sku-desk-1', `/spa/product/sku-desk-1?queryID=${DESK}`);
    await page.click('#add-sku-desk-1');
    await go(page, '#related-sku-chair-9', '/spa/product/sku-chair-9');
    await page.click('#add-sku-chair-9');
    await flush(page);
    expect((await sent(5)).map(summaryOf)).toEqual([
      `addToCart sku-lamp-3 ${LANDING}`,
      `click sku-desk-1 ${DESK}`,
      `addToCart sku-desk-1 ${DESK}`,
      'click sku-chair-9 -',
      'addToCart sku-chair-9 -',
    ]);
    await expectNoMoreEvents(e2e.collector, 5);
  });
});

describe('one user token per visit, without a cookie', () => {
  const tokenOf = (page: Page) => page.evaluate(() => window.QueryTrail?.instance?.getUserToken());

  it('is the same on the next page and in another tab, with storage consent', async () => {
    const { page } = await e2e.open('/spa.html');
    const token = await tokenOf(page);
    expect(token).toMatch(/^anonymous-/);
    await page.reload();
    await waitForQueryTrail(page);
    expect(await tokenOf(page)).toBe(token);
    const { page: otherTab } = await e2e.openTab(page.context(), '/spa.html');
    expect(await tokenOf(otherTab)).toBe(token);
    expect(await page.context().cookies()).toEqual([]);
  });

  it('is a new one on each page while consent is pending, and nothing is stored', async () => {
    const { page } = await e2e.open('/spa.html');
    const granted = await tokenOf(page);
    await page.context().addInitScript(() => {
      (window as { querytrailConfig?: object }).querytrailConfig = { consent: 'pending' };
    });
    await page.reload();
    await waitForQueryTrail(page);
    const first = await tokenOf(page);
    expect(first).not.toBe(granted);
    // What the first page, with consent, kept for the visit: a page without consent neither reads nor writes it.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await waitForQueryTrail(page);
    expect(await tokenOf(page)).not.toBe(first);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });
});

describe('the README’s router recipe', () => {
  it('is the router the single-page store runs', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const router = readFileSync(new URL('fixtures/spa-router.js', import.meta.url), 'utf8');
    expect(readme).toContain(router.trim());
  });
});
