import { describe, expect, it } from 'vitest';
import type { SentEvent } from '../../tools/collector.mjs';
import { expectNoMoreEvents, flush, pollUntil, setupE2E, sleep, viewedObjectIDs, waitForEvents, waitForViews } from '../support/e2e';

const e2e = setupE2E();

/** Four 200px rows of results fit exactly; every fixture is laid out for it. */
const VIEWPORT = { width: 1200, height: 800 };
/** Longer than the one second an object must stay in view, plus the fixtures' 200 ms flush interval and slack. */
const VIEW_QUIET_MS = 1_600;

async function openResults(path: string) {
  const tracked = await e2e.open(path);
  await tracked.page.setViewportSize(VIEWPORT);
  return tracked;
}

function received(): SentEvent[] {
  return e2e.collector.received.map(({ event }) => event as SentEvent);
}

function viewEvents(): SentEvent[] {
  return received().filter(({ eventType }) => eventType === 'view');
}

/** Order-free comparison that still counts duplicates. */
const sorted = (objectIDs: readonly string[]) => [...objectIDs].sort();

/** `grid-from` … `grid-to` of views-grid.html, six to a row: row r holds grid-(6r-5) … grid-6r. */
const gridResults = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `grid-${from + i}`);

describe('views of a long result grid', () => {
  it('reports results that stayed at least half in view for a second, each once, in events of at most 20 objectIDs', async () => {
    const { page } = await openResults('/views-grid.html');

    const firstScreen = gridResults(1, 24);
    await waitForViews(e2e.collector, firstScreen);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(sorted(firstScreen));

    // Rows 5 and 6 pass through the viewport for a quarter of a second; rows 7 to 10 stay.
    const scrolledAt = Date.now();
    const passedBy = await page.evaluate(
      async (ids) => {
        // The page's own observer proves rows 5 and 6 really were at least half in view on the way.
        const seen = new Set<string>();
        const witness = new IntersectionObserver(
          (entries) => {
            for (const { target, intersectionRatio } of entries) {
              if (intersectionRatio >= 0.5) seen.add(target.getAttribute('data-insights-object-id') ?? '');
            }
          },
          { threshold: 0.5 },
        );
        for (const id of ids) witness.observe(document.querySelector(`[data-insights-object-id="${id}"]`) as Element);
        scrollTo(0, 800);
        await new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted)));
        await new Promise((done) => setTimeout(done, 250));
        scrollTo(0, 1200);
        witness.disconnect();
        return [...seen];
      },
      gridResults(25, 36),
    );
    expect(sorted(passedBy)).toEqual(sorted(gridResults(25, 36)));
    const lastScreen = gridResults(37, 60);
    await waitForViews(e2e.collector, lastScreen);
    await sleep(300);
    expect(sorted(viewedObjectIDs(e2e.collector)), 'rows 5 and 6 were in view for less than a second').toEqual(
      sorted([...firstScreen, ...lastScreen]),
    );
    const lastScreenEvents = viewEvents().filter(({ objectIDs }) => (objectIDs as string[]).some((objectID) => lastScreen.includes(objectID)));
    for (const { timestamp } of lastScreenEvents) {
      // A few ms of slack: the page's frame clock and Node's clock are read at slightly different moments.
      expect(timestamp as number, 'a result is reported only after a second in view').toBeGreaterThanOrEqual(scrolledAt + 1_000 - 20);
    }

    // Back to rows 3 to 6: rows 5 and 6 now stay in view; rows 3 and 4 were already reported.
    await page.evaluate(() => scrollTo(0, 400));
    await waitForViews(e2e.collector, gridResults(25, 36));
    await flush(page);
    await expectNoMoreEvents(e2e.collector, received().length, VIEW_QUIET_MS);

    expect(sorted(viewedObjectIDs(e2e.collector)), 'every result reported exactly once').toEqual(sorted(gridResults(1, 60)));
    for (const event of viewEvents()) {
      expect(event).toEqual({
        eventType: 'view',
        eventName: 'Hits Viewed',
        index: 'products',
        objectIDs: expect.any(Array),
        userToken: 'views-user',
        timestamp: expect.any(Number),
      });
      expect((event.objectIDs as string[]).length).toBeLessThanOrEqual(20);
    }
  });

  it('does not report a result that is only 40% in view, and reports it once 60% of it is', async () => {
    const { page } = await openResults('/views-half.html');

    await waitForViews(e2e.collector, ['edge-60']);
    await flush(page);
    await expectNoMoreEvents(e2e.collector, received().length, VIEW_QUIET_MS);
    expect(viewedObjectIDs(e2e.collector)).toEqual(['edge-60']);

    await page.evaluate(() => scrollBy(0, 40));
    await waitForViews(e2e.collector, ['edge-40']);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(['edge-40', 'edge-60']);
  });
});

describe('views of client-rendered results', () => {
  const firstFour = ['lamp', 'shade', 'bulb', 'cable'];

  it('does not report results again when the list is re-rendered for the same search', async () => {
    const { page } = await openResults('/views-search.html');
    await waitForViews(e2e.collector, firstFour);

    await page.click('#switch-layout');
    await flush(page);
    await expectNoMoreEvents(e2e.collector, received().length, VIEW_QUIET_MS);
    expect(await page.locator('li.compact').count(), 'the list was re-rendered').toBe(6);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(sorted(firstFour));
  });

  it('reports the results in view again under a new queryID, whether only the queryID changes or the list is re-rendered', async () => {
    const { page } = await openResults('/views-search.html');
    await waitForViews(e2e.collector, firstFour);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(sorted(firstFour));

    await page.click('#search-again');
    await pollUntil(
      () => viewedObjectIDs(e2e.collector).length >= 8,
      5_000,
      () => `no second view of the results in view: ${JSON.stringify(received())}`,
    );
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(sorted([...firstFour, ...firstFour]));

    // Sorted by price the list is reversed: socket and switch come into view, lamp and shade leave it.
    await page.click('#sort-by-price');
    await pollUntil(
      () => viewedObjectIDs(e2e.collector).length >= 12,
      5_000,
      () => `no view after the re-render: ${JSON.stringify(received())}`,
    );
    await flush(page);
    await expectNoMoreEvents(e2e.collector, received().length, VIEW_QUIET_MS);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(sorted([...firstFour, ...firstFour, 'socket', 'switch', 'cable', 'bulb']));
  });

  it('makes results appended after load clickable and viewable', async () => {
    const { page } = await openResults('/views-late.html');
    await waitForViews(e2e.collector, ['late-1', 'late-2']);

    await waitForViews(e2e.collector, ['late-3', 'late-4'], 6_000);
    await flush(page);
    await sleep(VIEW_QUIET_MS);
    expect(sorted(viewedObjectIDs(e2e.collector)), 'late-5 is below the fold').toEqual(['late-1', 'late-2', 'late-3', 'late-4']);

    await page.click('[data-insights-object-id="late-5"] .quick-view');
    const [click] = await waitForEvents(e2e.collector, 1, ({ eventType }) => eventType === 'click');
    expect(click).toEqual({
      eventType: 'click',
      eventName: 'Hit Clicked',
      index: 'products',
      queryID: '4444444444444444aaaaaaaaaaaaaaaa',
      objectIDs: ['late-5'],
      // data-insights-page="2" × data-insights-hits-per-page="10" + fifth result
      positions: [25],
      userToken: 'views-user',
      timestamp: expect.any(Number),
    });
    // The click scrolled it into view.
    await waitForViews(e2e.collector, ['late-5']);
    await flush(page);
    await expectNoMoreEvents(e2e.collector, received().length);
    expect(sorted(viewedObjectIDs(e2e.collector))).toEqual(['late-1', 'late-2', 'late-3', 'late-4', 'late-5']);
    expect(received().filter(({ eventType }) => eventType === 'click')).toHaveLength(1);
  });
});

describe('views turned off', () => {
  it('sends no view event with data-views="false", while clicks still go out', async () => {
    const { page } = await openResults('/views-off.html');
    await sleep(VIEW_QUIET_MS);

    await page.click('[data-insights-object-id="quiet-2"] .quick-view');
    await waitForEvents(e2e.collector, 1);
    await flush(page);
    await expectNoMoreEvents(e2e.collector, 1);
    expect(received()).toEqual([expect.objectContaining({ eventType: 'click', objectIDs: ['quiet-2'], positions: [2] })]);
  });
});
