/** docs/behaviour.md, Views: at least half of the object in view for one continuous second. */
const VISIBLE_RATIO = 0.5;
const VIEW_MS = 1000;

export interface ViewWatcher {
  /** Watches an object anew: on the page for the first time, or its markup changed. */
  watch(object: Element): void;
  release(object: Element): void;
  /**
   * The page is hidden or left (maybe into the back/forward cache): what is in view starts
   * its second anew once the page is seen again.
   */
  pause(): void;
  stop(): void;
}

/**
 * Reports objects once they have been in view long enough, in batches of those that
 * became visible together. A reported object is no longer watched until it is watched anew.
 */
export function watchViews(onViewed: (objects: Element[]) => void): ViewWatcher {
  const visibleSince = new Map<Element, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const observer = new IntersectionObserver(
    (entries) => {
      // Out of view is a ratio of 0: isIntersecting adds nothing.
      for (const { target, time, intersectionRatio } of entries) {
        if (intersectionRatio < VISIBLE_RATIO) visibleSince.delete(target);
        else if (!visibleSince.has(target)) visibleSince.set(target, time);
      }
      // Reports what has been in view long enough by then, this batch and any other. Also after a
      // report of objects leaving view only: such a timer finds nothing, and costs less than a flag.
      const timer = setTimeout(() => {
        timers.delete(timer);
        const now = performance.now();
        const viewed: Element[] = [];
        for (const [object, since] of visibleSince) {
          if (now - since < VIEW_MS) continue;
          viewed.push(object);
          release(object);
        }
        if (viewed.length) onViewed(viewed);
      }, VIEW_MS);
      timers.add(timer);
    },
    { threshold: VISIBLE_RATIO },
  );

  const release = (object: Element) => {
    observer.unobserve(object);
    visibleSince.delete(object);
  };

  const watch = (object: Element) => {
    release(object);
    observer.observe(object);
  };

  return {
    watch,
    release,
    // A hidden page is not rendered, so its observer reports nothing, not even leaving view, while
    // timers still run. Observed anew, an object still in view is reported again at the first frame
    // once the page is seen again, and its second starts from there.
    pause() {
      for (const object of visibleSince.keys()) watch(object);
    },
    stop() {
      observer.disconnect();
      visibleSince.clear();
      timers.forEach(clearTimeout);
    },
  };
}
