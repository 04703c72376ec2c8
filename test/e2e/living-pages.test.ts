import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoMoreEvents, flush, pollUntil, setupE2E, viewedObjectIDs, waitForEvents, waitForViews } from './harness';

const e2e = setupE2E();

const VIEWPORT = { width: 1200, height: 800 };
/** Longer than the one second an object must stay in view, plus the fixtures' 200 ms flush interval and slack. */
const VIEW_QUIET_MS = 1_600;

declare global {
  interface Window {
    /** Every `pageshow` of the document, by its `persisted` flag (true: restored from the back/forward cache). */
    pageShows: boolean[];
    /** The elements some IntersectionObserver of the page currently observes. */
    observedTargets(): Element[];
  }
}

type ReceivedEvent = Record<string, unknown>;

function received(): ReceivedEvent[] {
  return e2e.collector.received.map(({ event }) => event as ReceivedEvent);
}


const sorted = (objectIDs: readonly string[]) => [...objectIDs].sort();

describe('objects inside open shadow roots', () => {
  it.each([
    ['defined before the results are parsed', '/living-shadow.html'],
    ['upgraded after load, by a lazily loaded component bundle', '/living-lazy.html'],
  ])('reports their view, click and add-to-cart, with index and queryID from the hosts’ ancestors: components %s', async (_, path) => {
    const { page } = await e2e.open(path);
    await page.setViewportSize(VIEWPORT);
    const queryID = '6666666666666666cccccccccccccccc';

    await waitForViews(e2e.collector, ['card-1', 'card-2', 'card-3']);

    await page.click('product-card[object-id="card-2"] .name');
    const [click] = await waitForEvents(e2e.collector, 1, ({ eventType }) => eventType === 'click');
    expect(click).toMatchObject({ eventType: 'click', index: 'products', queryID, objectIDs: ['card-2'], positions: [2] });

    await page.click('product-card[object-id="card-3"] .add-to-cart');
    const [addToCart] = await waitForEvents(e2e.collector, 1, ({ eventType }) => eventType === 'conversion');
    expect(addToCart).toEqual({
      eventType: 'conversion',
      eventSubtype: 'addToCart',
      eventName: 'Added To Cart',
      index: 'products',
      queryID,
      objectIDs: ['card-3'],
      userToken: 'living-user',
      timestamp: expect.any(Number),
    });
    // The shop's own handler ran, and kept the page where it was.
    expect(await page.locator('product-card[object-id="card-3"] output').textContent()).toBe('Added to your cart');
    expect(new URL(page.url()).pathname).toBe(path);

    await flush(page);
    await expectNoMoreEvents(e2e.collector, received().length, VIEW_QUIET_MS);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(['card-1', 'card-2', 'card-3']);
    expect(received().filter(({ eventType }) => eventType !== 'view')).toHaveLength(2);
    for (const view of received().filter(({ eventType }) => eventType === 'view')) expect(view).toMatchObject({ index: 'products' });
  });
});

/**
 * The harness's Chromium runs with Playwright's default `--disable-back-forward-cache`, so this test
 * starts its own, with the same switches otherwise (test/e2e/harness.ts), and tracks page errors itself.
 */
async function withBackForwardCache(use: (page: Page) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)));
    await page.addInitScript(() => {
      window.pageShows = [];
      addEventListener('pageshow', (event) => window.pageShows.push(event.persisted));
    });
    await use(page);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await browser.close();
  }
}

/** Polls the page while it may still be navigating (its context can be replaced under an evaluate). */
async function settledPageShows(page: Page): Promise<boolean[]> {
  let shows: boolean[] = [];
  await pollUntil(
    async () => {
      shows = await page.evaluate(() => (document.readyState === 'complete' ? window.pageShows : [])).catch(() => []);
      return shows.length > 0;
    },
    5_000,
    () => `no pageshow on ${page.url()}`,
  );
  return shows;
}

describe('the back/forward cache', () => {
  it('restores the results page with QueryTrail working: one event per click, no view sent twice', async () => {
    // The fixtures' server is only reachable through a page the harness opened.
    const origin = new URL((await e2e.open('/living-product.html')).page.url()).origin;
    const results = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `back-${from + i}`);
    const queryID = '7777777777777777dddddddddddddddd';

    await withBackForwardCache(async (page) => {
      await page.goto(`${origin}/living-results.html`);
      await waitForViews(e2e.collector, results(1, 4));

      await page.click('#open-2');
      await page.waitForURL('**/living-product.html');
      const [leavingClick] = await waitForEvents(e2e.collector, 1, ({ eventType }) => eventType === 'click');
      expect(leavingClick).toMatchObject({ objectIDs: ['back-2'], positions: [2], queryID });

      await page.goBack({ waitUntil: 'commit' });
      const shows = await settledPageShows(page);
      const notRestoredReasons = await page.evaluate(() =>
        JSON.stringify((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { notRestoredReasons?: unknown })?.notRestoredReasons),
      );
      expect(shows, `the results page was not restored from the back/forward cache; notRestoredReasons: ${notRestoredReasons}`).toEqual([false, true]);

      const beforeClick = received().length;
      await page.click('#quick-view-3');
      await waitForEvents(e2e.collector, beforeClick + 1);
      await flush(page);
      // Results 1 to 4 are in view again after the restore: they were reported before leaving.
      await expectNoMoreEvents(e2e.collector, beforeClick + 1, VIEW_QUIET_MS);
      expect(received().at(-1)).toMatchObject({ eventType: 'click', objectIDs: ['back-3'], positions: [3], queryID });

      await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
      await waitForViews(e2e.collector, results(5, 8));
      await flush(page);
      await expectNoMoreEvents(e2e.collector, received().length, VIEW_QUIET_MS);
      expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(sorted(results(1, 8)));
      expect(received().filter(({ eventType }) => eventType === 'click')).toHaveLength(2);
    });
  });
});

// An init script: counts what every IntersectionObserver of the page observes, as the browser does.
function trackObservations(): void {
  const targetsOf = new Map<IntersectionObserver, Set<Element>>();
  const targets = (observer: IntersectionObserver) => {
    const known = targetsOf.get(observer) ?? new Set<Element>();
    targetsOf.set(observer, known);
    return known;
  };
  const { observe, unobserve, disconnect } = IntersectionObserver.prototype;
  IntersectionObserver.prototype.observe = function (this: IntersectionObserver, target: Element) {
    targets(this).add(target);
    observe.call(this, target);
  };
  IntersectionObserver.prototype.unobserve = function (this: IntersectionObserver, target: Element) {
    targets(this).delete(target);
    unobserve.call(this, target);
  };
  IntersectionObserver.prototype.disconnect = function (this: IntersectionObserver) {
    targets(this).clear();
    disconnect.call(this);
  };
  window.observedTargets = () => [...targetsOf.values()].flatMap((known) => [...known]);
}

describe('objects rendered and removed in rounds', () => {
  it('stops observing every removed object: after 10,000 rendered and removed, only the objects on the page are observed', async () => {
    const { page } = await e2e.open('/living-churn.html');
    await page.addInitScript(trackObservations);
    await page.reload();
    await pollUntil(() => page.evaluate(() => Boolean(window.QueryTrail?.instance)), 5_000, () => 'QueryTrail did not start again after the reload');

    // Ten rounds of 1,000 objects (10 of them inside web components), each removed again: right away in the
    // next task, before QueryTrail's sliced scan reached them; after one frame; or once all of them are observed.
    const removals = ['next task', 'next frame', 'later', 'next task', 'next frame', 'later', 'next task', 'next frame', 'later', 'next task'] as const;
    const ownObjectsObservedBeforeRemoval = await page.evaluate(async (plan) => {
      const stream = document.getElementById('stream') as HTMLElement;
      const counts: number[] = [];
      for (const [round, removal] of plan.entries()) {
        const section = document.createElement('section');
        section.setAttribute('data-insights-index', 'products');
        section.setAttribute('data-insights-query-id', String(round).padStart(32, 'f'));
        for (let n = 1; n <= 990; n++) {
          const item = document.createElement('div');
          item.setAttribute('data-insights-object-id', `round-${round}-${n}`);
          section.append(item);
        }
        for (let n = 991; n <= 1000; n++) {
          const card = document.createElement('product-card');
          card.setAttribute('object-id', `round-${round}-${n}`);
          section.append(card);
        }
        const ownPrefix = `round-${round}-`;
        const ownObserved = () => window.observedTargets().filter((target) => target.getAttribute('data-insights-object-id')?.startsWith(ownPrefix)).length;
        stream.append(section);
        if (removal === 'next task') await new Promise((done) => setTimeout(done, 0));
        else if (removal === 'next frame') await new Promise((done) => requestAnimationFrame(done));
        else for (const giveUpAt = Date.now() + 2_000; ownObserved() < 1_000 && Date.now() < giveUpAt; ) await new Promise((done) => setTimeout(done, 20));
        counts.push(ownObserved());
        section.remove();
      }
      return counts;
    }, removals);

    const kept = 100;
    // Proof that QueryTrail watched the rounds' objects at all: those left on the page long enough were all observed.
    removals.forEach((removal, round) => {
      if (removal === 'later') expect(ownObjectsObservedBeforeRemoval[round], `objects of round ${round + 1} observed`).toBe(1_000);
    });

    const observation = () =>
      page.evaluate(() => {
        const onPage = [...document.querySelectorAll('[data-insights-object-id]')];
        for (const host of document.querySelectorAll('product-card')) onPage.push(...(host.shadowRoot?.querySelectorAll('[data-insights-object-id]') ?? []));
        const observed = window.observedTargets();
        const offPage = observed.filter((target) => !target.isConnected);
        const offPageByRound: Record<string, number> = {};
        for (const target of offPage) {
          const round = (target.getAttribute('data-insights-object-id') ?? '').replace(/-\d+$/, '');
          offPageByRound[round] = (offPageByRound[round] ?? 0) + 1;
        }
        return {
          onPage: onPage.length,
          observed: observed.length,
          onPageUnobserved: onPage.filter((object) => !observed.includes(object)).length,
          offPageByRound,
        };
      });
    const settled = { onPage: kept, observed: kept, onPageUnobserved: 0, offPageByRound: {} };
    let last = await observation();
    await pollUntil(
      async () => {
        last = await observation();
        return last.observed === settled.observed;
      },
      3_000,
      () => `still observed after the rounds: ${JSON.stringify(last)}`,
      // The assertion below shows what stayed observed, which says more than the timeout.
    ).catch(() => undefined);
    expect(last, 'removed objects must no longer be observed').toEqual(settled);
    expect(received(), 'nothing was in view').toEqual([]);
  });
});
