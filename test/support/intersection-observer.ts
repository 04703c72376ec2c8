import { vi } from 'vitest';

/**
 * happy-dom reports no intersections: this IntersectionObserver reports only what a test tells it
 * to. `reportAll` is a scroll that puts every observed target at one ratio; `frame` is a rendered
 * frame, as a browser reports them: a target's first state after observe(), then each crossing of
 * the 0.5 threshold, and nothing while the page is hidden (HTML: a hidden page has no rendering
 * opportunity).
 */
export class FakeIntersectionObserver {
  /** Every observer created and not disconnected since `stubIntersectionObserver()`. */
  static readonly live = new Set<FakeIntersectionObserver>();

  /** Each observed target, with the ratio it was last reported with (undefined until its first report after observe()). */
  private readonly targets = new Map<Element, number | undefined>();

  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeIntersectionObserver.live.add(this);
  }

  observe(target: Element): void {
    if (!this.targets.has(target)) this.targets.set(target, undefined);
  }

  unobserve(target: Element): void {
    this.targets.delete(target);
  }

  disconnect(): void {
    this.targets.clear();
    FakeIntersectionObserver.live.delete(this);
  }

  takeRecords(): IntersectionObserverEntry[] {
    return [];
  }

  /** The targets every live observer currently observes. */
  static observed(): Element[] {
    return [...FakeIntersectionObserver.live].flatMap((observer) => [...observer.targets.keys()]);
  }

  /** Reports every observed target of every live observer at `ratio`, in view since `time`. */
  static reportAll(ratio: number, time = performance.now()): void {
    for (const observer of FakeIntersectionObserver.live) {
      observer.report(
        [...observer.targets.keys()].map((target) => [target, ratio]),
        time,
      );
    }
  }

  /** A rendered frame, with each target at its ratio in `ratios` (0 where it has none). */
  static frame(ratios: ReadonlyMap<Element, number>): void {
    if (document.hidden) return;
    for (const observer of FakeIntersectionObserver.live) {
      const changed = [...observer.targets].flatMap(([target, last]): Array<[Element, number]> => {
        const ratio = ratios.get(target) ?? 0;
        return last !== undefined && last >= 0.5 === ratio >= 0.5 ? [] : [[target, ratio]];
      });
      observer.report(changed, performance.now());
    }
  }

  private report(ratios: ReadonlyArray<[Element, number]>, time: number): void {
    if (ratios.length === 0) return;
    for (const [target, ratio] of ratios) this.targets.set(target, ratio);
    const entries = ratios.map(([target, intersectionRatio]) => ({ target, time, intersectionRatio, isIntersecting: intersectionRatio > 0 }));
    this.callback(entries as unknown as IntersectionObserverEntry[], this as unknown as IntersectionObserver);
  }
}

/** Installs the fake as the page's IntersectionObserver until `vi.unstubAllGlobals()`. */
export function stubIntersectionObserver(): typeof FakeIntersectionObserver {
  FakeIntersectionObserver.live.clear();
  vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver);
  return FakeIntersectionObserver;
}
