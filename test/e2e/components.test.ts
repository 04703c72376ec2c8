import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { expectNoMoreEvents, setupE2E, waitForEvents } from '../support/e2e';

// The README's component recipe, run as it is (test/e2e/fixtures/component.js) by a page that
// mounts and unmounts it the way frameworks do (component-page.js).
declare global {
  interface Window {
    component: {
      options: object;
      mount(): () => void;
      unmount?: () => void;
      queryTrail(): Promise<Array<{ init(options: object): unknown }>>;
    };
  }
}

const e2e = setupE2E();
const title = (objectID: string) => `[data-insights-object-id="${objectID}"] .title`;
const clickedObjects = (events: Array<Record<string, unknown>>) => events.map(({ objectIDs }) => objectIDs);

describe('a component that starts QueryTrail on mount and stops it on unmount', () => {
  it('is the code the README shows', async () => {
    const recipe = await readFile(new URL('fixtures/component.js', import.meta.url), 'utf8');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(recipe);
  });

  it('sends each click once after mount, unmount and mount again (React StrictMode), and nothing while unmounted', async () => {
    const { page } = await e2e.open('/component.html', { waitForQueryTrail: false });
    await page.evaluate(() => {
      const unmountFirst = window.component.mount();
      unmountFirst();
      window.component.unmount = window.component.mount();
    });
    await page.click(title('sku-361'));
    await page.click(title('sku-362'));
    expect(clickedObjects(await waitForEvents(e2e.collector, 2))).toEqual([['sku-361'], ['sku-362']]);

    await page.evaluate(() => window.component.unmount?.());
    await page.click(title('sku-363'));
    await page.evaluate(() => window.component.mount());
    await page.click(title('sku-364'));
    expect(clickedObjects(await waitForEvents(e2e.collector, 3))).toEqual([['sku-361'], ['sku-362'], ['sku-364']]);
    await expectNoMoreEvents(e2e.collector, 3);
  });

  it('sends each click once when init() runs twice without destroy(), also from a module evaluated again (hot reload)', async () => {
    const { page, probe } = await e2e.open('/component.html', { waitForQueryTrail: false });
    const sameInstance = await page.evaluate(async () => {
      window.component.mount();
      window.component.mount();
      const [loaded, reloaded] = await window.component.queryTrail();
      return loaded?.init !== reloaded?.init && reloaded?.init(window.component.options) === loaded?.init(window.component.options);
    });
    expect(sameInstance).toBe(true);
    await page.click(title('sku-361'));
    await page.click(title('sku-362'));
    expect(clickedObjects(await waitForEvents(e2e.collector, 2))).toEqual([['sku-361'], ['sku-362']]);
    await expectNoMoreEvents(e2e.collector, 2);
    expect((await probe()).acceptedEvents).toHaveLength(2);
  });
});
