import { withoutThrowing, type Log } from './log';

/** Work to do soon, in a task of its own: see `createLater`. */
export interface Later {
  /** Does `work` in a task soon after this one, after the work added before it. */
  add(work: () => void): void;
  /** Does everything waiting at once, in order. */
  runNow(): void;
}

/**
 * Work taken out of the task that called for it, so that the page's own task (a click) pays only
 * for what cannot wait (docs/behaviour.md, What a click costs the page). Each piece runs once,
 * either in the task that follows or earlier through `runNow`; one that throws is warned about
 * and leaves the others to run.
 */
export function createLater(log: Log): Later {
  const waiting: (() => void)[] = [];
  const runNow = () => {
    for (const work of waiting.splice(0)) work();
  };
  return {
    add(work) {
      // One task for everything added before it runs. A timer, not nextTask(): a MessageChannel
      // made per click cost the click's task about 80 µs, a timer about 16. Hidden tabs throttle
      // timers, but a click comes from a page that is seen, and one hidden or left runs what waits.
      if (waiting.push(withoutThrowing(log, work)) === 1) setTimeout(runNow);
    },
    runNow,
  };
}
