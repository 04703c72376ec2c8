import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { init, type QueryTrail } from '../../src/trail';
import { FakeIntersectionObserver, stubIntersectionObserver } from '../support/intersection-observer';
import { testOptions } from '../support/options';

let hidden = false;
const inView = new Map<Element, number>();
let accepted: Array<{ eventType: string; objectIDs?: string[] }>;
let trail: QueryTrail;
const onEvent = (event: Event) => accepted.push((event as CustomEvent).detail);
/** The objectIDs of every event sent so far: in these pages, only views. */
const viewed = () => accepted.flatMap(({ objectIDs }) => objectIDs ?? []);

/** Lets time pass with a rendered frame every 100 ms, as a browser would; the browser sees `inView`. */
async function pass(ms: number) {
  for (let elapsed = 0; elapsed < ms; elapsed += 100) {
    FakeIntersectionObserver.frame(inView);
    await vi.advanceTimersByTimeAsync(Math.min(100, ms - elapsed));
  }
}

function setHidden(next: boolean) {
  hidden = next;
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Results in view as the page starts: `objectIDs`, or the objects of `markup`. */
async function start(...objectIDs: string[]) {
  await startWith(`<ul data-insights-index="products">${objectIDs.map((id) => `<li data-insights-object-id="${id}"></li>`).join('')}</ul>`);
}

async function startWith(markup: string) {
  document.body.innerHTML = markup;
  for (const element of document.querySelectorAll('[data-insights-object-id]')) inView.set(element, 1);
  trail = init(testOptions);
  // The page is scanned in slices after start.
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  stubIntersectionObserver();
  vi.spyOn(document, 'hidden', 'get').mockImplementation(() => hidden);
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => (hidden ? 'hidden' : 'visible'));
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"status":200,"message":"OK"}')),
  );
  accepted = [];
  document.addEventListener('querytrail:event', onEvent);
});

afterEach(() => {
  trail.destroy();
  document.removeEventListener('querytrail:event', onEvent);
  hidden = false;
  inView.clear();
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('views', () => {
  it('counts no time while the page is hidden: the second starts anew once the page is seen again', async () => {
    await start('sku-1');
    await pass(200);
    // The user switches tab 0.2 s after the result came into view, and comes back 2 s later.
    setHidden(true);
    await pass(2000);
    expect(viewed(), 'never seen for a second').toEqual([]);
    setHidden(false);
    await pass(900);
    expect(viewed(), 'seen again for 0.9 s only').toEqual([]);
    await pass(200);
    expect(viewed()).toEqual(['sku-1']);
  });

  it('sends no view whose second was under way when setOptOut(true) came', async () => {
    await start('sku-1');
    await pass(500);
    trail.setOptOut(true);
    await pass(2000);
    expect(viewed()).toEqual([]);
  });

  it('sends no view for an object inside data-insights-ignore', async () => {
    await startWith(`
      <ul data-insights-index="products">
        <li data-insights-object-id="result"></li>
        <li data-insights-ignore><div data-insights-object-id="sponsored"></div></li>
      </ul>`);
    await vi.waitFor(() => expect(FakeIntersectionObserver.observed()).toHaveLength(2));
    await pass(1100);
    expect(accepted).toMatchObject([{ eventType: 'view', objectIDs: ['result'] }]);
  });

  it('counts an object without a queryID once per page of a single-page app, one with a queryID once per queryID', async () => {
    const QUERY_ID = 'a'.repeat(32);
    await startWith(`
      <ul data-insights-index="products"><li data-insights-object-id="in-header"></li></ul>
      <ol data-insights-index="products" data-insights-query-id="${QUERY_ID}"><li data-insights-object-id="result"></li></ol>`);
    await pass(1100);
    expect(viewed()).toEqual(['in-header', 'result']);
    // Still in view and still on the page: a hash change is the same page.
    history.pushState(null, '', '#details');
    await vi.advanceTimersByTimeAsync(0);
    await pass(1100);
    expect(viewed()).toEqual(['in-header', 'result']);
    // A new page: the header's object counts again, the result of the same search does not.
    history.pushState(null, '', '/next-page');
    await vi.advanceTimersByTimeAsync(0);
    await pass(1100);
    expect(viewed()).toEqual(['in-header', 'result', 'in-header']);
  });

  it('counts the results of a list a router replaced under a new queryID, not again those of the same search', async () => {
    const [FIRST, SECOND] = ['a'.repeat(32), 'b'.repeat(32)];
    const results = (queryID: string) =>
      `<ol data-insights-index="products" data-insights-query-id="${queryID}"><li data-insights-object-id="sku-1"></li><li data-insights-object-id="sku-2"></li></ol>`;
    await startWith(results(FIRST));
    await pass(1100);
    const render = async (queryID: string) => {
      history.pushState(null, '', `/search?q=${queryID.slice(0, 1)}`);
      document.body.innerHTML = results(queryID);
      for (const element of document.querySelectorAll('[data-insights-object-id]')) inView.set(element, 1);
      await vi.advanceTimersByTimeAsync(0);
      await pass(1100);
    };
    await render(SECOND);
    await render(FIRST);
    expect(accepted.map(({ objectIDs }) => objectIDs)).toEqual([
      ['sku-1', 'sku-2'],
      ['sku-1', 'sku-2'],
    ]);
  });
});
