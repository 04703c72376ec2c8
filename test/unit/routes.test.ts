import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followRoutes } from '../../src/capture/routes';

let newPages: string[];
let stop: (() => void) | undefined;
const follow = () => {
  stop = followRoutes(() => newPages.push(location.pathname + location.search));
};

beforeEach(() => {
  newPages = [];
  history.replaceState(null, '', '/search?q=lamp');
});

afterEach(() => {
  stop?.();
  stop = undefined;
  // What a test wrapped or replaced goes, so that the next test starts from History.prototype's methods.
  Reflect.deleteProperty(history, 'pushState');
  Reflect.deleteProperty(history, 'replaceState');
  history.replaceState(null, '', '/');
});

describe('following a single-page app’s routes', () => {
  it('calls back after pushState or replaceState to a new path or query string, and after popstate', () => {
    follow();
    history.pushState({ route: 'product' }, '', '/product/1?queryID=abc');
    history.replaceState(null, '', '/product/1');
    // Back or forward: the browser changes the URL itself, then fires popstate.
    History.prototype.replaceState.call(history, null, '', '/search?q=lamp');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(newPages).toEqual(['/product/1?queryID=abc', '/product/1', '/search?q=lamp']);
  });

  it('does not call back for a hash change or a replaceState to the same URL', () => {
    follow();
    history.pushState(null, '', '#reviews');
    history.replaceState({ scroll: 300 }, '', location.href);
    history.replaceState(null, '', '/search?q=lamp#top');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(newPages).toEqual([]);
  });

  it('keeps pushState and replaceState working exactly: this, arguments, return value and exceptions', () => {
    const calls: Array<{ self: unknown; args: unknown[] }> = [];
    const pageOwn = function (this: unknown, ...args: unknown[]) {
      calls.push({ self: this, args });
      if (args[2] === '/refused') throw new DOMException('refused', 'SecurityError');
      return 'what the page’s method returns';
    };
    history.pushState = pageOwn as History['pushState'];
    follow();
    const state = { id: 1 };
    expect(history.pushState(state, '', '/product/1')).toBe('what the page’s method returns');
    expect(calls).toEqual([{ self: history, args: [state, '', '/product/1'] }]);
    expect(() => history.pushState(null, '', '/refused')).toThrow('refused');
    // The page's own method changed no URL: nothing to tell.
    expect(newPages).toEqual([]);
    const other = { pushState: history.pushState };
    other.pushState(null, '', '/elsewhere');
    expect(calls.at(-1)?.self).toBe(other);
  });

  it('puts back the page’s own methods when stopped', () => {
    const pageOwn = vi.fn() as unknown as History['replaceState'];
    history.replaceState = pageOwn;
    follow();
    expect(history.replaceState).not.toBe(pageOwn);
    stop?.();
    expect(history.replaceState).toBe(pageOwn);
    expect(Object.hasOwn(history, 'pushState')).toBe(false);
    history.pushState(null, '', '/after-stop');
    expect(location.pathname).toBe('/after-stop');
    expect(newPages).toEqual([]);
  });

  it('leaves a library that wrapped pushState after QueryTrail working once stopped, and is no longer called', () => {
    follow();
    const wrapped = history.pushState;
    let libraryCalls = 0;
    history.pushState = function (this: History, ...args: Parameters<History['pushState']>) {
      libraryCalls += 1;
      return wrapped.apply(this, args);
    };
    history.pushState(null, '', '/one');
    stop?.();
    history.pushState(null, '', '/two');
    expect(location.pathname).toBe('/two');
    expect(libraryCalls).toBe(2);
    expect(newPages).toEqual(['/one']);
  });
});
