import { afterEach, describe, expect, it, vi } from 'vitest';
import { followDataLayer } from '../../src/integrations/data-layer';

type Layer = unknown[];
const page = window as unknown as { dataLayer?: Layer };

afterEach(() => {
  vi.useRealTimers();
  delete page.dataLayer;
});

/** Follows `window.dataLayer`, listing what was read. */
function follow() {
  const read: object[] = [];
  const stop = followDataLayer('dataLayer', (entry) => read.push(entry));
  return { read, stop };
}

describe('following the data layer', () => {
  it('reads the entries pushed before it started, then each one as it is pushed, objects only', () => {
    const early = { event: 'add_to_cart' };
    page.dataLayer = [early, 'not an entry', null];
    const { read, stop } = follow();
    expect(read).toEqual([early]);
    const late = { event: 'purchase' };
    page.dataLayer.push(late);
    expect(read).toEqual([early, late]);
    stop();
  });

  it('leaves push working as before: same this, arguments and result, and what it throws goes through', () => {
    const calls: unknown[][] = [];
    const layer: Layer = [];
    const pagePush = function (this: Layer, ...entries: unknown[]) {
      calls.push([this, ...entries]);
      if (entries[0] === 'boom') throw new Error('boom');
      return Array.prototype.push.apply(this, entries);
    };
    layer.push = pagePush;
    page.dataLayer = layer;
    const { stop } = follow();
    expect(layer.push({ a: 1 }, { b: 2 })).toBe(2);
    expect(calls).toEqual([[layer, { a: 1 }, { b: 2 }]]);
    expect(() => layer.push('boom')).toThrow('boom');
    stop();
    expect(layer.push).toBe(pagePush);
  });

  it('keeps hearing pushes through a tag manager that wraps push after it, and reads each entry once', () => {
    page.dataLayer = [];
    const { read, stop } = follow();
    const ours = page.dataLayer.push;
    // What Google Tag Manager does when it loads: its own push, which calls the one it found.
    page.dataLayer.push = function (...entries: unknown[]) {
      return ours.apply(this, entries);
    };
    const entry = { event: 'purchase' };
    page.dataLayer.push(entry);
    expect(read).toEqual([entry]);
    stop();
  });

  it('finds an array put in place of the first one, or entries pushed past its hook, within a second, without reading an entry twice', () => {
    vi.useFakeTimers();
    const kept = { event: 'add_to_cart' };
    page.dataLayer = [kept];
    const { read, stop } = follow();
    const replacement: Layer = [kept];
    page.dataLayer = replacement;
    const pushed = { event: 'purchase' };
    Array.prototype.push.call(replacement, pushed);
    expect(read).toEqual([kept]);
    vi.advanceTimersByTime(1_000);
    expect(read).toEqual([kept, pushed]);
    // The new array is hooked too: its pushes are read at once.
    const next = { event: 'purchase', n: 2 };
    replacement.push(next);
    expect(read).toEqual([kept, pushed, next]);
    stop();
    vi.advanceTimersByTime(5_000);
    replacement.push({ event: 'purchase', n: 3 });
    expect(read).toHaveLength(3);
  });

  it('waits for an array that does not exist yet, without creating one', () => {
    vi.useFakeTimers();
    const { read, stop } = follow();
    expect(page.dataLayer).toBeUndefined();
    const entry = { event: 'purchase' };
    page.dataLayer = [entry];
    vi.advanceTimersByTime(1_000);
    expect(read).toEqual([entry]);
    stop();
  });
});
