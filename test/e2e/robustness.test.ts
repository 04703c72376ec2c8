import { describe, expect, it } from 'vitest';
import { expectOnlyValidEvents, flush, pollUntil, postRequests, setupE2E, sleep, waitForEvents } from '../support/e2e';

const e2e = setupE2E();

describe('broken markup', () => {
  it('never sends an event the API would reject, reports each broken object and keeps working', async () => {
    const { page, probe, pageErrors } = await e2e.open('/broken.html');
    const brokenObjects = ['position-zero', 'empty-object-id', 'long-event-name'];
    for (const id of brokenObjects) await page.click(`#${id} .title`);
    // Its click goes without the invalid queryID, as a click when no search is known (docs/behaviour.md, Attribution).
    await page.click('#bad-query-id .title');
    await page.click('#valid .title');

    const [validClick] = await waitForEvents(e2e.collector, 1, ({ objectIDs }) => String(objectIDs) === 'sku-505');
    expect(validClick).toMatchObject({ eventType: 'click', queryID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', positions: [5] });
    const [clickWithoutSearch] = await waitForEvents(e2e.collector, 1, ({ objectIDs }) => String(objectIDs) === 'sku-501');
    expect(clickWithoutSearch).toMatchObject({ eventType: 'click', index: 'products' });
    expect(clickWithoutSearch).not.toHaveProperty('queryID');
    expect(clickWithoutSearch).not.toHaveProperty('positions');
    await flush(page);
    expectOnlyValidEvents(e2e.collector);
    const rejectedIds = new Set((await probe()).rejects.map(({ elementId }) => elementId));
    expect(
      brokenObjects.filter((id) => !rejectedIds.has(id)),
      'broken objects without a querytrail:reject',
    ).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('a revoked API key', () => {
  it('logs one console error and sends nothing more', async () => {
    const { page, queryTrailErrors } = await e2e.open('/wrong-key.html');
    await page.click('[data-insights-object-id="sku-701"] .title');
    await pollUntil(
      () => postRequests(e2e.collector).some(({ status }) => status === 401),
      5_000,
      () => 'no request was answered 401',
    );
    await pollUntil(
      () => queryTrailErrors().length > 0,
      2_000,
      () => 'QueryTrail logged no console error after the 401',
    );

    await page.click('[data-insights-object-id="sku-702"] .title');
    await page.click('[data-insights-object-id="sku-703"] .title');
    await flush(page);
    // Several flush intervals (200 ms) for any further send to show up.
    await sleep(1_000);
    expect(postRequests(e2e.collector)).toHaveLength(1);
    expect(queryTrailErrors()).toHaveLength(1);
  });
});
