import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { init, type QueryTrail } from '../../src/trail';

/**
 * happy-dom reports no intersections. This observer reports them as a browser does at each
 * rendered frame: a target's first state after observe(), then each crossing of the threshold.
 * A hidden page is not rendered (HTML: no rendering opportunity), so its observers report nothing.
 */
class FrameObserver {
  static live: FrameObserver | undefined;
  /** The ratio each target was last reported with; undefined until its first report after observe(). */
  private readonly reported = new Map<Element, number | undefined>();
  constructor(private readonly callback: IntersectionObserverCallback) {
    FrameObserver.live = this;
  }
  observe(target: Element) {
    if (!this.reported.has(target)) this.reported.set(target, undefined);
  }
  unobserve(target: Element) {
    this.reported.delete(target);
  }
  disconnect() {
    this.reported.clear();
  }
  frame(ratios: Map<Element, number>) {
    if (document.hidden) return;
    const entries = [];
    for (const [target, last] of this.reported) {
      const ratio = ratios.get(target) ?? 0;
      if (last !== undefined && last >= 0.5 === ratio >= 0.5) continue;
      this.reported.set(target, ratio);
      entries.push({ target, time: performance.now(), intersectionRatio: ratio, isIntersecting: ratio > 0 });
    }
    if (entries.length) this.callback(entries as unknown as IntersectionObserverEntry[], this as unknown as IntersectionObserver);
  }
}

const required = { appId: 'APP', apiKey: 'key', endpoint: 'http://collector.test', flushInterval: 60_000 };

let hidden = false;
const inView = new Map<Element, number>();
let viewed: string[];
let trail: QueryTrail;
const onEvent = (event: Event) => viewed.push(...((event as CustomEvent<{ objectIDs: string[] }>).detail.objectIDs ?? []));

/** Lets time pass with a rendered frame every 100 ms, as a browser would. */
async function pass(ms: number) {
  for (let elapsed = 0; elapsed < ms; elapsed += 100) {
    FrameObserver.live?.frame(inView);
    await vi.advanceTimersByTimeAsync(Math.min(100, ms - elapsed));
  }
}

function setHidden(next: boolean) {
  hidden = next;
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Results in view as the page starts. */
async function start(...objectIDs: string[]) {
  document.body.innerHTML = `<ul data-insights-index="products">${objectIDs.map((id) => `<li data-insights-object-id="${id}"></li>`).join('')}</ul>`;
  for (const element of document.querySelectorAll('li')) inView.set(element, 1);
  trail = init(required);
  // The page is scanned in slices after start.
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  vi.stubGlobal('IntersectionObserver', FrameObserver);
  vi.spyOn(document, 'hidden', 'get').mockImplementation(() => hidden);
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => (hidden ? 'hidden' : 'visible'));
  vi.stubGlobal('fetch', vi.fn(async () => new Response('{"status":200,"message":"OK"}')));
  viewed = [];
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
    expect(viewed, 'never seen for a second').toEqual([]);
    setHidden(false);
    await pass(900);
    expect(viewed, 'seen again for 0.9 s only').toEqual([]);
    await pass(200);
    expect(viewed).toEqual(['sku-1']);
  });

  it('sends no view whose second was under way when setOptOut(true) came', async () => {
    await start('sku-1');
    await pass(500);
    trail.setOptOut(true);
    await pass(2000);
    expect(viewed).toEqual([]);
  });
});
