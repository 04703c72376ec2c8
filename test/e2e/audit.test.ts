// The markup audit (dist/querytrail-audit.js): what a template author sees on the demo store's
// pages and on a page full of mistakes, under `default-src 'self'`, without changing any event.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/audit/explain';
import { setupDemo } from '../support/demo';
import { flush, installProbe, pollUntil, setupE2E, waitForEvents, waitForQueryTrail, type PageProbe } from '../support/e2e';
import { screenshot } from '../support/screenshots';

const e2e = setupE2E();
const SHOWS_UP = 10_000;

/** Waits for the audit on the page, and for its first reading of what is stored. */
async function auditReady(page: Page): Promise<void> {
  await pollUntil(
    () => page.evaluate(() => Boolean(window.QueryTrailAudit)).catch(() => false),
    SHOWS_UP,
    () => `the audit never opened on ${page.url()}`,
  );
  await page.evaluate(() => window.QueryTrailAudit?.refresh());
}

/** Opens the audit the way a developer does from the console: through the running instance. */
async function openAudit(page: Page): Promise<void> {
  await page.evaluate(() => window.QueryTrail?.instance.audit());
  await auditReady(page);
}

/** The problems the audit finds, as rule and the id of the element it names. */
const problemsOf = (page: Page) => page.evaluate(() => window.QueryTrailAudit?.problems().map(({ rule, element }) => [rule, element.id]));

/** The problems as the panel lists them: rule and the element as the panel names it. */
async function panelProblems(page: Page): Promise<string[][]> {
  const buttons = page.locator('querytrail-audit button[data-rule]');
  return Promise.all(
    (await buttons.all()).map(async (button) => [
      String(await button.getAttribute('data-rule')),
      String(await button.locator('.where').textContent()),
    ]),
  );
}

/** What `explain()` resolves for the element `selector` finds, without the element itself. */
function explainFirst(page: Page, selector: string): Promise<Omit<Explanation, 'element'>> {
  return page.evaluate((selector) => {
    const element = document.querySelector(selector);
    if (!element || !window.QueryTrailAudit) throw new Error(`no ${selector} or no audit`);
    return JSON.parse(JSON.stringify(window.QueryTrailAudit.explain(element), (key, value) => (key === 'element' ? undefined : value)));
  }, selector);
}

/** The text of the panel's status line `label`. */
const statusOf = (page: Page, label: string) =>
  page.locator('querytrail-audit dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').textContent();

describe('on the demo store', () => {
  const running = setupDemo();
  let page: Page;
  const problems: string[] = [];
  const probe = () => page.evaluate(() => window.queryTrailProbe) as Promise<PageProbe>;

  afterEach(async () => {
    // The demo serves every page with `default-src 'self'`: the audit must cause no violation there.
    expect((await probe()).securityViolations).toEqual([]);
    await page.context().close();
    expect(problems.splice(0)).toEqual([]);
  });

  async function openStore(path: string): Promise<void> {
    const context = await running.browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.addInitScript(installProbe);
    await page.goto(`${running.demo.url}${path}`);
    await waitForQueryTrail(page);
  }

  it('outlines every result of the search page as complete, with the search’s queryID and positions, and finds no problem', async () => {
    await openStore('/search?q=lamp&querytrail-debug=audit');
    await auditReady(page);
    const results = page.locator('ol.results[data-insights-page="0"]');
    const queryID = await results.getAttribute('data-insights-query-id');
    const cards = await results.locator('[data-insights-object-id]').count();

    expect(await problemsOf(page)).toEqual([]);
    expect(await page.locator('querytrail-audit').getByText('No problem found in the markup').count()).toBe(1);
    // The store's infinite scroll may have added the next page meanwhile: all of its cards are complete too.
    expect(await page.locator('querytrail-audit .box.object.complete').count()).toBeGreaterThanOrEqual(cards);
    expect(await page.locator('querytrail-audit .box.object:not(.complete)').count()).toBe(0);
    expect(await explainFirst(page, 'ol.results [data-insights-object-id]:nth-child(2)')).toMatchObject({
      object: { index: 'demo_products', queryID, position: 2, status: 'complete', click: { sent: true, variant: 'clickedObjectIDsAfterSearch' } },
    });
    // The container is labelled with its paging, the filters with their parsed pairs.
    await expect
      .poll(() => page.locator('querytrail-audit .box.container .badge').allTextContents())
      .toContainEqual(`demo_products · ${queryID?.slice(0, 8)} · page 0 × 12`);
    expect(await page.locator('querytrail-audit .box.filter .badge').allTextContents()).toContain('brand:Aurora');
    expect(await statusOf(page, 'Consent')).toBe('granted at start');
    await screenshot(page, 'audit-search');
  });

  it('shows, on hovering a product page’s add-to-cart, the product’s landing queryID, and related products without one', async () => {
    await openStore('/search?q=lamp');
    const queryID = await page.locator('ol.results').first().getAttribute('data-insights-query-id');
    await page.locator('ol.results [data-insights-object-id] a').first().click();
    await page.waitForURL(/\/product\//);
    await waitForQueryTrail(page);
    await openAudit(page);

    expect(await problemsOf(page)).toEqual([]);
    const trigger = await explainFirst(page, 'form.add-to-cart:not(.quick-add)');
    expect(trigger.conversion).toMatchObject({
      kind: 'addToCart',
      currency: 'EUR',
      events: [{ sent: true, variant: 'addedToCartObjectIDsAfterSearch' }],
    });
    expect(trigger.conversion?.items.map(({ queryID: source }) => source)).toEqual([{ source: 'landing', queryID }]);

    await page.locator('form.add-to-cart:not(.quick-add) button[type="submit"]').hover();
    const covered = page.locator('querytrail-audit .box.covered .badge.source');
    await expect.poll(() => covered.allTextContents()).toEqual([`${queryID?.slice(0, 8)} · landing`]);
    // Related products keep their own attribution: none here, so amber.
    expect(await page.locator('querytrail-audit .box.object.no-query-id').count()).toBeGreaterThan(1);
  });

  it('opens on the legacy page, where a tag manager injected QueryTrail, with the options it set', async () => {
    await openStore('/legacy');
    await openAudit(page);
    expect(await problemsOf(page)).toEqual([]);
    expect(await explainFirst(page, '[data-insights-object-id]')).toMatchObject({
      object: {
        index: 'demo_products',
        status: 'no-query-id',
        eventName: 'Staff Pick Clicked',
        click: { sent: true, variant: 'clickedObjectIDs' },
      },
    });
    // The options came from window.querytrailConfig: no stand-in defaults.
    expect(await page.locator('querytrail-audit dt', { hasText: 'Options' }).count()).toBe(0);
    expect(await statusOf(page, 'User token')).toMatch(/^anonymous-[0-9a-f-]+ \(from /);
  });
});

describe('on a page full of mistakes', () => {
  const MISTAKES = [
    ['unknown-attribute', 'typo'],
    ['malformed-query-id', 'bad-query'],
    ['duplicate-position', 'dup-b'],
    ['impossible-position', 'pos-zero'],
    ['not-a-number', 'price-comma'],
    ['page-without-hits-per-page', 'paged'],
    // The consequence: past page 0 without hits per page, the click after search has no position.
    ['click-rejected', 'paged-item'],
    ['object-without-index', 'no-index'],
    ['filter-rejected', 'filter-bad'],
    ['purchase-without-currency', 'buy-no-currency'],
    ['items-match-nothing', 'cart-nothing'],
    ['trigger-without-objects', 'lonely-trigger'],
    ['unknown-conversion-kind', 'kind-typo'],
    ['unknown-on', 'on-typo'],
    ['unknown-attribute', 'shadow-typo'],
  ];

  it('lists each mistake with its rule and its element, in the panel too, with zero CSP violations', async () => {
    const { page, probe } = await e2e.open('/audit-mistakes.html?querytrail-debug=audit');
    await auditReady(page);
    expect(await problemsOf(page)).toEqual(MISTAKES);
    const listed = await panelProblems(page);
    expect(listed.map(([rule, where]) => [rule, /id="([^"]+)"/.exec(where ?? '')?.[1]])).toEqual(MISTAKES);
    expect(await page.locator('querytrail-audit').getByText('did you mean data-insights-object-id?').count()).toBe(1);
    expect(await page.locator('querytrail-audit').getByText('did you mean data-insights-query-id?').count()).toBe(1);
    await screenshot(page, 'audit-mistakes');
    expect((await probe()).securityViolations).toEqual([]);
  });

  it('takes the keyboard to a problem’s element, follows markup rendered later, and flashes a refused click', async () => {
    const { page, probe } = await e2e.open('/audit-mistakes.html');
    await openAudit(page);

    await page.locator('querytrail-audit button[data-rule="duplicate-position"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('querytrail-audit .box.selected').count()).toBe(1);
    expect(await page.locator('querytrail-audit .details').textContent()).toContain('<li id="dup-b" data-insights-object-id="sku-5">');
    await expect.poll(() => page.evaluate(() => document.getElementById('dup-b')?.getBoundingClientRect().top ?? -1)).toBeGreaterThan(0);

    await page.evaluate(() => {
      const late = document.createElement('li');
      late.id = 'late';
      late.setAttribute('data-insights-object-id', 'sku-late');
      late.setAttribute('data-insights-hits-per-pag', '12');
      document.querySelector('.grid')?.append(late);
    });
    await expect
      .poll(() => panelProblems(page), { timeout: SHOWS_UP })
      .toContainEqual(['unknown-attribute', '<li id="late" data-insights-object-id="sku-late">']);

    // Position 0 after a search: QueryTrail refuses the click, and the audit shows it (views of the
    // object without an index are refused too, so the count is compared, not taken as it is).
    const refused = async () => Number(/(\d+) refused/.exec((await statusOf(page, 'Events')) ?? '')?.[1]);
    const before = await refused();
    await page.click('#pos-zero');
    await expect.poll(() => page.locator('querytrail-audit .box.object.flash-rejected').count()).toBeGreaterThan(0);
    await expect.poll(refused).toBeGreaterThan(before);
    const rule = 'clickedObjectIDsAfterSearch: positions.0: must be a whole number from 1';
    expect((await probe()).rejects).toContainEqual({ rule, elementId: 'pos-zero' });
    // The panel names the last refusal: this click's, unless a view refused since took its place.
    expect(await statusOf(page, 'Events')).toMatch(/\(last: (clickedObjectIDsAfterSearch: positions\.0|viewedObjectIDs: index)/);
    expect((await probe()).securityViolations).toEqual([]);
  });
});

describe('in a single-page app', () => {
  it('reads each new page as it is rendered, its landing queryID from the new URL', async () => {
    const { page, probe } = await e2e.open('/spa.html');
    await openAudit(page);
    const source = async (selector: string) => (await explainFirst(page, selector)).conversion?.items[0]?.queryID;

    await page.click('#search-lamp');
    await expect.poll(() => page.locator('querytrail-audit .box.object.complete').count(), { timeout: SHOWS_UP }).toBe(3);
    expect(await explainFirst(page, '#results li')).toMatchObject({ object: { objectID: 'sku-lamp-1', queryID: 'a1'.repeat(16), position: 1 } });

    await page.click('#result-sku-lamp-1');
    await expect.poll(() => source('#add-sku-lamp-1'), { timeout: SHOWS_UP }).toEqual({ source: 'landing', queryID: 'a1'.repeat(16) });
    // A related product's link carries no queryID: on its page, nothing attributes it to a search.
    await page.click('#related-sku-lamp-2');
    await expect
      .poll(() => source('#add-sku-lamp-2'), { timeout: SHOWS_UP })
      .toEqual({ source: 'none', reason: 'no data-insights-query-id; no ?queryID= in the page URL; nothing remembered for it' });
    expect(await problemsOf(page)).toEqual([]);
    expect((await probe()).securityViolations).toEqual([]);
  });
});

describe('what QueryTrail sends', () => {
  /** The same visit: a view, a click, a filter, an add-to-cart and a purchase; the events the collector received. */
  async function shop(withAudit: boolean): Promise<Record<string, unknown>[]> {
    e2e.collector.reset();
    const { page } = await e2e.open('/audit-shop.html');
    if (withAudit) await openAudit(page);
    // Views first, all of them, so that both visits report them alike.
    await pollUntil(
      async () => (await page.evaluate(() => window.queryTrailProbe.acceptedEvents.length)) > 0,
      SHOWS_UP,
      () => 'no view event',
    );
    for (const selector of ['#first', '#filter', '#add', '#buy']) await page.click(selector);
    if (withAudit) await expect.poll(() => page.locator('querytrail-audit .box.flash-sent').count()).toBeGreaterThan(0);
    await flush(page);
    const events = await waitForEvents(e2e.collector, 5);
    await page.context().close();
    // The token is each visit's own, the time each interaction's own.
    return events.map(({ timestamp, userToken, ...event }) => ({ ...event, userToken: typeof userToken, timestamp: typeof timestamp }));
  }

  it('is byte for byte the same with and without the audit, which adds no event of its own', async () => {
    const without = await shop(false);
    const withAudit = await shop(true);
    expect(without.map(({ eventType, eventSubtype }) => eventSubtype ?? eventType)).toEqual(['view', 'click', 'click', 'addToCart', 'purchase']);
    expect(JSON.stringify(withAudit)).toBe(JSON.stringify(without));
  });
});
