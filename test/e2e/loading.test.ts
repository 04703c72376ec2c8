import { describe, expect, it } from 'vitest';
import { expectNoMoreEvents, setupE2E, waitForEvents } from '../support/e2e';

const e2e = setupE2E();

describe('loading', () => {
  it('works when a tag manager configures it through the global and injects it after load', async () => {
    const { page } = await e2e.open('/late-injection.html');
    expect(await page.evaluate(() => document.readyState)).toBe('complete');
    await page.click('[data-insights-object-id="sku-302"] .title');

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toMatchObject({
      eventType: 'click',
      index: 'products',
      queryID: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      objectIDs: ['sku-302'],
      positions: [2],
    });
    await expectNoMoreEvents(e2e.collector, 1);
  });

  it('sends one event per click when the page has two script tags', async () => {
    const { page, probe } = await e2e.open('/double-injection.html');
    expect(await page.locator('script[src="/dist/querytrail.min.js"]').count()).toBe(2);
    await page.click('[data-insights-object-id="sku-351"] .title');
    await page.click('[data-insights-object-id="sku-352"] .title');

    const events = await waitForEvents(e2e.collector, 2);
    expect(events.map(({ objectIDs }) => objectIDs)).toEqual([['sku-351'], ['sku-352']]);
    await expectNoMoreEvents(e2e.collector, 2);
    expect((await probe()).acceptedEvents).toHaveLength(2);
  });

  it('keeps one instance when the script is injected again', async () => {
    const { page } = await e2e.open('/late-injection.html');
    const sameInstanceAfterReinjection = await page.evaluate(async () => {
      const first = window.QueryTrail?.instance;
      await new Promise((loaded, failed) => {
        const script = document.createElement('script');
        script.src = '/dist/querytrail.min.js';
        script.onload = loaded;
        script.onerror = failed;
        document.head.append(script);
      });
      return first !== undefined && window.QueryTrail?.instance === first;
    });
    expect(sameInstanceAfterReinjection).toBe(true);
    await page.click('[data-insights-object-id="sku-301"] .title');

    await waitForEvents(e2e.collector, 1);
    await expectNoMoreEvents(e2e.collector, 1);
  });
});

describe('loading after destroy()', () => {
  it('starts a fresh instance when the script is injected again, and sends each click once', async () => {
    const { page } = await e2e.open('/late-injection.html');
    const first = await page.evaluateHandle(() => {
      window.QueryTrail?.instance.destroy();
      return window.QueryTrail?.instance;
    });
    await page.addScriptTag({ url: '/dist/querytrail.min.js' });
    const freshInstance = await page.evaluate((destroyed) => window.QueryTrail?.instance !== destroyed, first);
    expect(freshInstance).toBe(true);
    await page.click('[data-insights-object-id="sku-301"] .title');

    await waitForEvents(e2e.collector, 1);
    await expectNoMoreEvents(e2e.collector, 1);
  });
});

describe('in a frame sandboxed without allow-same-origin', () => {
  it('works in memory with a new anonymous token where touching the cookie throws', async () => {
    const { page, consoleErrors } = await e2e.open('/sandboxed.html');
    const frame = page.frameLocator('iframe');
    await frame.locator('[data-insights-object-id="sku-801"] .title').click();

    const [event] = await waitForEvents(e2e.collector, 1);
    expect(event).toMatchObject({ eventType: 'click', index: 'products', objectIDs: ['sku-801'] });
    expect(event?.userToken).toMatch(/^anonymous-/);
    expect(consoleErrors.map(({ text }) => text)).not.toContainEqual(expect.stringContaining('QueryTrail'));
    await expectNoMoreEvents(e2e.collector, 1);
  });
});

describe('under a strict Content-Security-Policy', () => {
  it('delivers clicks without any CSP violation', async () => {
    const { page, probe, pageErrors, consoleErrors } = await e2e.open('/csp.html');
    expect((await page.request.get(page.url())).headers()['content-security-policy']).toBe("default-src 'self'");
    await page.click('[data-insights-object-id="sku-602"] .title');
    await page.click('#filter');

    const clicks = await waitForEvents(e2e.collector, 2, ({ eventType }) => eventType === 'click');
    expect(clicks).toEqual([
      expect.objectContaining({ objectIDs: ['sku-602'], positions: [2], queryID: 'c0ffee00c0ffee00c0ffee00c0ffee00' }),
      expect.objectContaining({ filters: ['material:porcelain'], index: 'products' }),
    ]);
    expect((await probe()).securityViolations).toEqual([]);
    expect(consoleErrors.filter(({ text }) => /content security policy/i.test(text))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
