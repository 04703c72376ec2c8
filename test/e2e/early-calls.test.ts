import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoMoreEvents, setupE2E, waitForEvents } from '../support/e2e';
import { NOTHING_STORED, storedData, withoutEmptyDatabases } from '../support/stored';

// Calls a consent banner and a login make through the README's stub before QueryTrail's script
// has arrived (docs/behaviour.md, Early calls), in Chromium.

const e2e = setupE2E();
const QUERY_IDS = 'querytrail-query-ids';

async function storedNow(page: Page) {
  return { ...withoutEmptyDatabases(await storedData(page)), cookie: await page.evaluate(() => document.cookie) };
}

async function clickResult(page: Page, objectID: string): Promise<void> {
  await page.click(`[data-insights-object-id="${objectID}"] .title`);
}

describe('calls made before the script arrives', () => {
  it('a consent granted before the script arrives applies from its start, and the visit keeps its token from page to page', async () => {
    const { page } = await e2e.open('/early-calls.html?consent=granted-early');
    await clickResult(page, 'sku-401');
    const [click] = await waitForEvents(e2e.collector, 1);
    await expect.poll(async () => (await storedData(page)).indexedDB[QUERY_IDS] ?? 0).toBeGreaterThan(0);
    expect((await storedData(page)).localStorage).toBe(1);

    await page.reload();
    await clickResult(page, 'sku-402');
    const [, next] = await waitForEvents(e2e.collector, 2);
    expect(next?.userToken).toBe(click?.userToken);
  });

  it('a consent held back (pending) before the script arrives stores nothing, until the banner grants it', async () => {
    const { page } = await e2e.open('/early-calls.html?consent=pending-early');
    await clickResult(page, 'sku-401');
    await waitForEvents(e2e.collector, 1);
    expect(await storedNow(page)).toEqual({ ...NOTHING_STORED, cookie: '' });

    await page.click('#accept');
    await expect.poll(async () => (await storedData(page)).indexedDB[QUERY_IDS] ?? 0).toBeGreaterThan(0);
    expect((await storedData(page)).localStorage).toBe(1);
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('without an early call, the same page stores from its start (what the test above holds back)', async () => {
    const { page } = await e2e.open('/early-calls.html');
    await clickResult(page, 'sku-401');
    await waitForEvents(e2e.collector, 1);
    await expect.poll(async () => (await storedData(page)).indexedDB[QUERY_IDS] ?? 0).toBeGreaterThan(0);
  });

  it('a login before the script arrives: the first events carry the authenticated token', async () => {
    const { page } = await e2e.open('/early-calls.html?login=early');
    await clickResult(page, 'sku-401');
    const [click] = await waitForEvents(e2e.collector, 1);
    expect(click).toMatchObject({ eventType: 'click', objectIDs: ['sku-401'], authenticatedUserToken: 'member-42' });
    expect(await page.evaluate(() => window.querytrail?.q)).toBeUndefined();
  });

  it('a call after the script arrived goes straight to the instance', async () => {
    const { page } = await e2e.open('/early-calls.html');
    await page.evaluate(() => window.querytrail?.('setAuthenticatedUserToken', 'member-7'));
    await clickResult(page, 'sku-402');
    const [click] = await waitForEvents(e2e.collector, 1);
    expect(click).toMatchObject({ objectIDs: ['sku-402'], authenticatedUserToken: 'member-7' });
  });
});
