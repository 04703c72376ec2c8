/** SPEC §3: at least half of the object in view for one continuous second. */
const VISIBLE_RATIO = 0.5;
const VIEW_MS = 1000;

export interface ViewWatcher {
  /** Watches an object anew: on the page for the first time, or its markup changed. */
  watch(object: Element): void;
  release(object: Element): void;
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
      let started = false;
      // Out of view is a ratio of 0: isIntersecting adds nothing.
      for (const { target, time, intersectionRatio } of entries) {
        if (intersectionRatio < VISIBLE_RATIO) visibleSince.delete(target);
        else if (!visibleSince.has(target)) {
          visibleSince.set(target, time);
          started = true;
        }
      }
      if (!started) return;
      // Reports what has been in view long enough by then, this batch and any other.
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

  return {
    watch(object) {
      release(object);
      observer.observe(object);
    },
    release,
    stop() {
      observer.disconnect();
      visibleSince.clear();
      for (const timer of timers) clearTimeout(timer);
    },
  };
}
