// QueryTrail brought by Google Tag Manager: the template of gtm/template.tpl, run by the sandbox
// stand-in of test/support/gtm.ts on the demo's pages served without QueryTrail's own script tag,
// as on a site whose only change is the tag manager's container.
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, DEMO_APP_ID } from '../../demo/pages.mjs';
import { setupDemo } from '../support/demo';
import { flush, pollUntil, sleep, waitForQueryTrail } from '../support/e2e';
import { runTemplateOnPage, templateOutcome, updateConsent, type PageRunOptions, type TemplateData, type TemplateOutcome } from '../support/gtm';
import { storedData as recordsStored } from '../support/stored';

const INDEX = 'demo_products';
const SHOWS_UP = 10_000;

type SentEvent = {
  eventType?: string;
  eventSubtype?: string;
  eventName?: string;
  objectIDs?: string[];
  queryID?: string;
  userToken?: string;
  objectData?: Array<{ queryID?: string; price?: number }>;
};

const running = setupDemo();
const contexts: BrowserContext[] = [];
/** Uncaught errors of the pages, and console errors other than a script that failed to load on purpose. */
const pageProblems: string[] = [];

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  const invalid = running.demo.collector.received.filter(({ valid }) => !valid);
  running.demo.collector.reset();
  expect(invalid, 'events that fail the official schema reached the collector').toEqual([]);
  expect(pageProblems.splice(0)).toEqual([]);
});

/**
 * A browser context whose demo pages come without QueryTrail's script tag and without the
 * Custom HTML stand-in of `/legacy`: what is left is the markup, for the template to bring
 * QueryTrail to.
 */
async function tagManagerSite(): Promise<BrowserContext> {
  const context = await running.browser.newContext();
  contexts.push(context);
  await context.route(`${running.demo.url}/**`, async (route) => {
    if (route.request().resourceType() !== 'document') return route.fallback();
    const response = await route.fetch();
    const body = (await response.text())
      .replace(/<script src="\/dist\/querytrail\.min\.js"[^>]*><\/script>/g, '')
      .replace(/<script src="\/static\/tag-manager\.js"[^>]*><\/script>/g, '');
    await route.fulfill({ response, body });
  });
  return context;
}

async function openPage(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageProblems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageProblems.push(message.text());
  });
  await page.goto(`${running.demo.url}${path}`);
  return page;
}

/** The tag's fields as a user fills them in for this site. */
function tagFields(): TemplateData {
  return {
    scriptUrl: `${running.demo.url}/dist/querytrail.min.js`,
    appId: DEMO_APP_ID,
    apiKey: DEMO_API_KEY,
    region: '',
    endpoint: running.demo.url,
    useCookie: true,
    views: true,
    debug: false,
  };
}

/**
 * Fires the tag as GTM would. The script URL pattern is the one gtm/README.md tells a user to set
 * in the "Injects scripts" permission when the script is not on the template's default CDN URL.
 */
async function fireTag(page: Page, fields: TemplateData = {}, options: Omit<PageRunOptions, 'data'> = {}): Promise<void> {
  await runTemplateOnPage(page, { scriptUrls: [`${running.demo.url}/dist/*`], ...options, data: { ...tagFields(), ...fields } });
}

async function tagResult(page: Page): Promise<TemplateOutcome> {
  let outcome = await templateOutcome(page);
  await pollUntil(
    async () => {
      outcome = await templateOutcome(page);
      return outcome.status !== 'pending';
    },
    SHOWS_UP,
    () => 'the tag never called gtmOnSuccess nor gtmOnFailure',
  );
  return outcome;
}

async function fireTagAndStart(page: Page, fields: TemplateData = {}, options: Omit<PageRunOptions, 'data'> = {}): Promise<void> {
  await fireTag(page, fields, options);
  expect(await tagResult(page)).toMatchObject({ status: 'success' });
  await waitForQueryTrail(page);
}

const sentEvents = () => running.demo.collector.received.map(({ event }) => event as SentEvent);

async function sentEvent(where: (event: SentEvent) => boolean, describe: string): Promise<SentEvent> {
  await pollUntil(
    () => sentEvents().some(where),
    SHOWS_UP,
    () => `${describe} never reached the collector; received: ${JSON.stringify(sentEvents())}`,
  );
  return sentEvents().find(where) as SentEvent;
}

/** Ctrl-click opens the pick in a new tab, which keeps this page (and its QueryTrail) alive. */
async function clickFirstPick(page: Page): Promise<string> {
  const pick = page.locator('[data-insights-object-id]').first();
  const objectID = (await pick.getAttribute('data-insights-object-id')) as string;
  const newTab = page.context().waitForEvent('page');
  await pick.locator('a').click({ modifiers: ['ControlOrMeta'] });
  await (await newTab).close();
  return objectID;
}

/** What QueryTrail may have written: the _ALGOLIA cookie, local and session storage, IndexedDB. */
async function storedData(page: Page) {
  const cookies = (await page.context().cookies()).map(({ name }) => name).filter((name) => name === '_ALGOLIA');
  const inPage = await page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).map(({ name }) => name),
  }));
  return { cookies, ...inPage };
}

/** A search on the site, then a click on its first result, which QueryTrail remembers. */
async function searchAndClick(context: BrowserContext): Promise<{ queryID: string; objectID: string }> {
  const page = await openPage(context, '/search?q=runner');
  await fireTagAndStart(page);
  const queryID = (await page.locator('ol.results[data-insights-page="0"]').getAttribute('data-insights-query-id')) as string;
  const result = page.locator('ol.results > li').first();
  const objectID = (await result.getAttribute('data-insights-object-id')) as string;
  await result.locator('a').click();
  await page.waitForURL(`**/product/${objectID}?queryID=${queryID}`);
  await sentEvent((event) => event.eventType === 'click' && event.queryID === queryID, 'the click on the search result');
  // The tag fires on every page of the site, the product page too, which stores what the search
  // page handed it as it was left (IndexedDB drops a leaving page's writes): later tabs find it.
  await fireTagAndStart(page);
  await pollUntil(
    async () => ((await recordsStored(page)).indexedDB['querytrail-query-ids'] ?? 0) > 0,
    10_000,
    () => 'the clicked queryID stored',
  );
  await page.close();
  return { queryID, objectID };
}

describe('the template on the legacy page', () => {
  it('injects the script, calls gtmOnSuccess, and the clicks on the picks arrive valid with the options it passed', async () => {
    const page = await openPage(await tagManagerSite(), '/legacy');
    expect(await page.evaluate(() => 'QueryTrail' in window)).toBe(false);
    await fireTag(page, { userToken: 'gtm-visitor-7' });
    const outcome = await tagResult(page);
    expect(outcome).toMatchObject({ status: 'success', scriptsInjected: [`${running.demo.url}/dist/querytrail.min.js`] });
    await waitForQueryTrail(page);

    const objectID = await clickFirstPick(page);
    await flush(page);
    const click = await sentEvent((event) => event.eventType === 'click' && event.objectIDs?.[0] === objectID, 'the click on the pick');
    expect(click).toMatchObject({ eventName: 'Staff Pick Clicked', userToken: 'gtm-visitor-7', objectIDs: [objectID] });
    expect(running.demo.collector.received.every(({ valid }) => valid)).toBe(true);
  });

  it('injects the script once when the tag fires twice', async () => {
    const page = await openPage(await tagManagerSite(), '/legacy');
    await fireTagAndStart(page);
    await fireTag(page);
    expect(await tagResult(page)).toMatchObject({ status: 'success' });
    expect(await page.locator('script[src$="/dist/querytrail.min.js"]').count()).toBe(1);
  });

  it('is stopped, as GTM stops it, when the script URL is outside the permission’s patterns', async () => {
    const page = await openPage(await tagManagerSite(), '/legacy');
    // The template's own pattern is its default CDN URL; this site serves the script itself.
    await fireTag(page, {}, { scriptUrls: undefined });
    const outcome = await templateOutcome(page);
    expect(outcome.status).toBe('threw');
    expect(outcome.error).toMatch(/inject_script does not allow http:\/\/127\.0\.0\.1/);
    expect(outcome.scriptsInjected).toEqual([]);
    await sleep(300);
    expect(await page.evaluate(() => 'QueryTrail' in window)).toBe(false);
  });

  it('calls gtmOnFailure when the script cannot be loaded', async () => {
    const page = await openPage(await tagManagerSite(), '/legacy');
    await fireTag(page, { scriptUrl: `${running.demo.url}/dist/no-such-querytrail.min.js` });
    expect(await tagResult(page)).toMatchObject({ status: 'failure', scriptsInjected: [`${running.demo.url}/dist/no-such-querytrail.min.js`] });
  });
});

describe('Consent Mode’s analytics_storage', () => {
  it('denied: QueryTrail stores nothing (no cookie, localStorage, sessionStorage or IndexedDB) and still sends', async () => {
    const page = await openPage(await tagManagerSite(), '/legacy');
    await fireTagAndStart(page, {}, { consent: { analytics_storage: false } });
    const objectID = await clickFirstPick(page);
    await flush(page);
    await sentEvent((event) => event.objectIDs?.[0] === objectID, 'the click on the pick');
    expect(await storedData(page)).toEqual({ cookies: [], localStorage: [], sessionStorage: [], indexedDB: [] });
  });

  // Needs the early-call stub's replay in QueryTrail (issue 16, point 3): after its start,
  // querytrail('setConsent', …) reaches the running instance.
  it('denied, then granted after the script has loaded: QueryTrail starts storing', async () => {
    const page = await openPage(await tagManagerSite(), '/legacy');
    await fireTagAndStart(page, {}, { consent: { analytics_storage: false } });
    expect((await storedData(page)).cookies).toEqual([]);

    await updateConsent(page, 'analytics_storage', true);
    await pollUntil(
      async () => (await storedData(page)).cookies.length === 1,
      SHOWS_UP,
      () => 'the _ALGOLIA cookie was never written after the grant',
    );
    const stored = await storedData(page);
    expect(stored.indexedDB).toContain('querytrail-query-ids');
  });

  // Needs the early-call stub's replay in QueryTrail (issue 16, point 3): the grant waits in
  // querytrail.q until QueryTrail starts.
  it('denied, then granted before the script has loaded: QueryTrail stores from its start', async () => {
    const context = await tagManagerSite();
    let releaseScript = () => {};
    const scriptHeld = new Promise<void>((resolve) => {
      releaseScript = resolve;
    });
    await context.route(`${running.demo.url}/dist/querytrail.min.js`, async (route) => {
      await scriptHeld;
      await route.fallback();
    });
    const page = await openPage(context, '/legacy');
    await fireTag(page, {}, { consent: { analytics_storage: false } });
    await updateConsent(page, 'analytics_storage', true);
    expect(await page.evaluate(() => 'QueryTrail' in window)).toBe(false);
    releaseScript();
    expect(await tagResult(page)).toMatchObject({ status: 'success' });
    await waitForQueryTrail(page);
    await pollUntil(
      async () => (await storedData(page)).cookies.length === 1,
      SHOWS_UP,
      () => 'the _ALGOLIA cookie was never written after the queued grant',
    );
  });
});

/** Pushes an entry to the page's `dataLayer`, creating it as GTM's snippet does. */
async function pushToDataLayer(page: Page, entry: unknown): Promise<void> {
  await page.evaluate((pushed) => {
    const site = window as unknown as { dataLayer?: unknown[] };
    site.dataLayer = site.dataLayer ?? [];
    site.dataLayer.push(pushed);
  }, entry);
}

/** Calls gtag() as GA4's snippet defines it: it pushes its arguments object to `dataLayer`. */
async function gtag(page: Page, ...args: unknown[]): Promise<void> {
  await page.evaluate((gtagArgs) => {
    const site = window as unknown as { dataLayer?: unknown[] };
    site.dataLayer = site.dataLayer ?? [];
    const layer = site.dataLayer;
    function gtag(..._args: unknown[]) {
      // biome-ignore lint/complexity/noArguments: gtag pushes its arguments object, which is the form under test
      layer.push(arguments);
    }
    gtag(...gtagArgs);
  }, args);
}

// Need the `dataLayer` option (issue 16, point 2).
describe('GA4 ecommerce entries of the data layer', () => {
  const item = (objectID: string) => ({ item_id: objectID, item_name: 'Runner', price: 19.99, quantity: 2 });

  it('add_to_cart pushed before the tag and purchase pushed after it (gtag form) become conversions with the remembered queryID', async () => {
    const context = await tagManagerSite();
    const { queryID, objectID } = await searchAndClick(context);

    const page = await openPage(context, '/legacy');
    await pushToDataLayer(page, { ecommerce: null });
    await pushToDataLayer(page, { event: 'add_to_cart', ecommerce: { currency: 'EUR', value: 39.98, items: [item(objectID)] } });
    await fireTagAndStart(page, { dataLayer: 'dataLayer', index: INDEX });
    await gtag(page, 'event', 'purchase', { transaction_id: 'T-1001', currency: 'EUR', value: 39.98, items: [item(objectID)] });
    await flush(page);

    const addToCart = await sentEvent((event) => event.eventSubtype === 'addToCart' && event.objectIDs?.[0] === objectID, 'the add-to-cart');
    expect(addToCart).toMatchObject({ eventType: 'conversion', queryID, objectIDs: [objectID] });
    const purchase = await sentEvent((event) => event.eventSubtype === 'purchase' && event.objectIDs?.[0] === objectID, 'the purchase');
    expect(purchase).toMatchObject({ eventType: 'conversion', objectIDs: [objectID], objectData: [{ queryID, price: 19.99 }] });
  });

  it('a purchase pushed before the tag becomes a conversion with the remembered queryID', async () => {
    const context = await tagManagerSite();
    const { queryID, objectID } = await searchAndClick(context);

    const page = await openPage(context, '/legacy');
    await pushToDataLayer(page, {
      event: 'purchase',
      ecommerce: { transaction_id: 'T-1002', currency: 'EUR', value: 39.98, items: [item(objectID)] },
    });
    await fireTagAndStart(page, { dataLayer: 'dataLayer', index: INDEX });
    const purchase = await sentEvent((event) => event.eventSubtype === 'purchase' && event.objectIDs?.[0] === objectID, 'the purchase');
    expect(purchase).toMatchObject({ objectData: [{ queryID }] });
  });
});

// Needs confirmation pages (issue 16, point 1): the demo's order page carries a purchase
// trigger with data-insights-on="load" and data-insights-order-id.
describe('the order confirmation page, through the template', () => {
  it('sends its purchase with the remembered queryID, and not again when reloaded', async () => {
    const context = await tagManagerSite();
    const { queryID, objectID } = await searchAndClick(context);
    // The order is placed without QueryTrail on the checkout page: only the confirmation page
    // can send the purchase.
    await context.request.post(`${running.demo.url}/cart`, { form: { objectID, quantity: '1' } });
    const placed = await context.request.post(`${running.demo.url}/checkout`, { maxRedirects: 0 });
    const orderPath = placed.headers().location as string;
    expect(orderPath).toMatch(/^\/order\/\d+$/);
    const page = await openPage(context, orderPath);

    await fireTagAndStart(page);
    await flush(page);
    const isThisPurchase = (event: SentEvent) => event.eventSubtype === 'purchase' && (event.objectIDs ?? []).includes(objectID);
    const purchase = await sentEvent(isThisPurchase, 'the confirmation page’s purchase');
    expect(purchase.objectData?.[(purchase.objectIDs ?? []).indexOf(objectID)]?.queryID).toBe(queryID);
    const purchasesBefore = sentEvents().filter(isThisPurchase).length;

    await page.reload();
    await fireTagAndStart(page);
    await flush(page);
    await sleep(1_000);
    await flush(page);
    expect(sentEvents().filter(isThisPurchase)).toHaveLength(purchasesBefore);
  });
});
