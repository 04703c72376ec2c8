import { describe, expect, it } from 'vitest';
import { expectNoMoreEvents, flush, postRequests, setupE2E, waitForEvents } from '../support/e2e';

const e2e = setupE2E();

const RESULTS_QUERY_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ANONYMOUS_TOKEN = /^anonymous-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('clicks on search results', () => {
  it('sends a click on a nested element of a result link exactly once, as the page navigates away', async () => {
    const { page } = await e2e.open('/results.html');
    const clickedAt = Date.now();
    await page.click('#third-result .title');
    await page.waitForURL('**/product.html');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toEqual({
      eventType: 'click',
      eventName: 'Hit Clicked',
      index: 'products',
      queryID: RESULTS_QUERY_ID,
      objectIDs: ['sku-103'],
      // data-insights-page="1" × data-insights-hits-per-page="20" + third object
      positions: [23],
      userToken: 'e2e-user-42',
      timestamp: expect.any(Number),
    });
    expect(event?.timestamp).toBeGreaterThanOrEqual(clickedAt - 1_000);
    expect(event?.timestamp).toBeLessThanOrEqual(Date.now());
    await expectNoMoreEvents(e2e.collector, 1);
    expect(postRequests(e2e.collector).map(({ contentType }) => contentType)).toEqual([expect.stringMatching(/^text\/plain/)]);
  });

  it('uses an explicit data-insights-position over the computed one', async () => {
    const { page } = await e2e.open('/results.html');
    await page.click('#pinned-result .title');
    await page.waitForURL('**/product.html');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toMatchObject({ objectIDs: ['sku-104'], positions: [7], queryID: RESULTS_QUERY_ID, userToken: 'e2e-user-42' });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('sends one click event for a middle-click on a result', async () => {
    const { page } = await e2e.open('/results.html');
    await page.click('#second-result .title', { button: 'middle' });
    await flush(page);

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toMatchObject({ eventType: 'click', objectIDs: ['sku-102'], positions: [22], queryID: RESULTS_QUERY_ID });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('takes index and queryID from a shadow host’s ancestors for an object inside its open shadow root', async () => {
    const { page } = await e2e.open('/shadow.html');
    await page.click('result-card[object-id="sku-402"] .name');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toMatchObject({
      eventType: 'click',
      index: 'products',
      queryID: '9a8b7c6d5e4f30211203f4e5d6c7b8a9',
      objectIDs: ['sku-402'],
      positions: [2],
    });
    await expectNoMoreEvents(e2e.collector, 1);
  });
});

describe('clicks without a search', () => {
  it('sends clickedObjectIDs, without queryID or positions, for objects rendered without a queryID', async () => {
    const { page } = await e2e.open('/browse.html');
    await page.click('[data-insights-object-id="sku-202"] .title');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toEqual({
      eventType: 'click',
      eventName: 'Hit Clicked',
      index: 'catalog',
      objectIDs: ['sku-202'],
      userToken: expect.any(String),
      timestamp: expect.any(Number),
    });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('generates an anonymous UUID v4 user token when none is given', async () => {
    const { page } = await e2e.open('/browse.html');
    await page.click('[data-insights-object-id="sku-201"] .title');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event?.userToken).toMatch(ANONYMOUS_TOKEN);
    expect(await page.evaluate(() => window.QueryTrail?.instance?.getUserToken())).toBe(event?.userToken);
  });
});

describe('clicks on filters', () => {
  it('sends clickedFilters with each attribute and value URL-encoded once, indexed by the nearest container', async () => {
    const { page } = await e2e.open('/browse.html');
    await page.click('#brand-filter');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toEqual({
      eventType: 'click',
      eventName: 'Filter Clicked',
      index: 'catalog',
      filters: ['brand:Apple%20Inc', 'discount:10%25'],
      userToken: expect.stringMatching(ANONYMOUS_TOKEN),
      timestamp: expect.any(Number),
    });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('uses the index option for a filter outside any container', async () => {
    const { page } = await e2e.open('/browse.html');
    await page.click('#color-filter');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toMatchObject({ eventType: 'click', index: 'fallback-index', filters: ['color:red'] });
    await expectNoMoreEvents(e2e.collector, 1);
  });
});
