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
});
