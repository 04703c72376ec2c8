import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import type { QueryTrailStub, TrackedEvent } from '../../src/public-types';
import { init, type QueryTrail } from '../../src/trail';
import { listenToAnnouncements } from '../support/announcements';
import { clearCookies } from '../support/cookies';
import { testOptions } from '../support/options';

// Calls a consent tool or a login makes through the stub before the script has loaded
// (docs/behaviour.md, Early calls).

const hit: TrackedEvent = { eventType: 'click', eventName: 'Hit Clicked', index: 'products', objectIDs: ['sku-1'] };

/** The README's stub, as a page defines it: it only queues. */
function pageStub(): QueryTrailStub {
  const stub: QueryTrailStub = function (this: unknown) {
    stub.q = stub.q || [];
    // biome-ignore lint/complexity/noArguments: the stub keeps `arguments`, as the README's one-liner does.
    stub.q.push(arguments);
  };
  return stub;
}

/** The queue of calls made through the stub before the script loads. */
function queuedBy(makeCalls: (querytrail: QueryTrailStub) => void): IArguments[] | undefined {
  const stub = pageStub();
  makeCalls(stub);
  return stub.q;
}

let trail: QueryTrail | undefined;
let accepted: Array<Record<string, unknown>>;
let stopListening: () => void;

beforeEach(() => {
  ({ accepted, stop: stopListening } = listenToAnnouncements());
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"status":200,"message":"OK"}')),
  );
  vi.stubGlobal('indexedDB', new IDBFactory());
});

afterEach(() => {
  trail?.destroy();
  trail = undefined;
  stopListening();
  clearCookies();
  localStorage.clear();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('calls queued before the script loaded', () => {
  it('are made in order, before the first event: tokens apply to the events that follow them', () => {
    const queue = queuedBy((querytrail) => {
      querytrail('setUserToken', 'early-user');
      querytrail('track', hit);
      querytrail('setAuthenticatedUserToken', 'member-7');
      querytrail('track', hit);
    });
    trail = init(testOptions, queue);
    expect(accepted).toMatchObject([{ userToken: 'early-user' }, { userToken: 'early-user', authenticatedUserToken: 'member-7' }]);
    expect(accepted[0]).not.toHaveProperty('authenticatedUserToken');
    expect(trail.getUserToken()).toBe('early-user');
  });

  it('a queued setConsent("pending") holds from the first moment: no cookie, no localStorage, IndexedDB never opened', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    const withCookie = { ...testOptions, useCookie: true };
    trail = init(
      withCookie,
      queuedBy((querytrail) => querytrail('setConsent', 'pending')),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(document.cookie).not.toContain('_ALGOLIA');
    expect(localStorage.length).toBe(0);
    expect(open).not.toHaveBeenCalled();

    // Granted later, through the function the script put in the stub's place: storing starts.
    trail.setConsent('granted');
    expect(document.cookie).toContain(`_ALGOLIA=${trail.getUserToken()}`);
  });

  it('a queued setConsent("granted") over a pending option keeps the visit’s token, as consent in the options does', () => {
    const firstPage = init(testOptions);
    const visitToken = firstPage.getUserToken();
    firstPage.destroy();

    const pending = { ...testOptions, consent: 'pending' };
    const withoutEarlyConsent = init(pending);
    expect(withoutEarlyConsent.getUserToken()).not.toBe(visitToken);
    withoutEarlyConsent.destroy();

    trail = init(
      pending,
      queuedBy((querytrail) => querytrail('setConsent', 'granted')),
    );
    expect(trail.getUserToken()).toBe(visitToken);
  });

  it('a queued setOptOut(true) sends nothing and stores nothing', async () => {
    const open = vi.spyOn(indexedDB, 'open');
    trail = init(
      { ...testOptions, useCookie: true },
      queuedBy((querytrail) => {
        querytrail('setOptOut', true);
        querytrail('track', hit);
      }),
    );
    expect(trail.track(hit)).toBe(false);
    await trail.flush();
    expect(accepted).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
    expect(document.cookie).not.toContain('_ALGOLIA');
    expect(open).not.toHaveBeenCalledWith('querytrail-query-ids', expect.anything());
  });

  it('a queued audit() opens the markup audit from beside the script, as a later call would', () => {
    trail = init(
      testOptions,
      queuedBy((querytrail) => querytrail('audit')),
      'https://cdn.example/querytrail@0.1.0/dist/querytrail.min.js',
    );
    const loaded = [...document.querySelectorAll('script')].map((script) => script.src);
    for (const script of document.querySelectorAll('script')) script.remove();
    expect(loaded).toEqual(['https://cdn.example/querytrail@0.1.0/dist/querytrail-audit.js']);
  });

  it('an unknown method gets one console.error naming it, and the replay goes on past it', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const queue = queuedBy((querytrail) => {
      (querytrail as (method: string) => void)('sendEvent');
      (querytrail as (method: string) => void)('toString');
      querytrail('setUserToken', 'after-the-mistakes');
    });
    trail = init(testOptions, queue);
    expect(error.mock.calls).toEqual([['QueryTrail: unknown method "sendEvent"'], ['QueryTrail: unknown method "toString"']]);
    expect(trail.getUserToken()).toBe('after-the-mistakes');
  });

  it('go to the instance already running (the ESM build started first)', () => {
    trail = init(testOptions);
    const again = init(
      testOptions,
      queuedBy((querytrail) => querytrail('setAuthenticatedUserToken', 'member-7')),
    );
    expect(again).toBe(trail);
    trail.track(hit);
    expect(accepted).toMatchObject([{ authenticatedUserToken: 'member-7' }]);
  });

  it('skip what is no call without stopping QueryTrail from starting', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    trail = init(testOptions, [null, 42, ['setUserToken', 'still-made']]);
    expect(trail.getUserToken()).toBe('still-made');
    expect(error).toHaveBeenCalledTimes(2);
  });
});

describe('the script-tag build', () => {
  afterEach(() => {
    delete window.querytrail;
    delete window.querytrailConfig;
    delete window.QueryTrail;
  });

  it('replays the stub’s queue, then puts in its place a function that calls the instance directly', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    window.querytrailConfig = testOptions;
    window.querytrail = pageStub();
    window.querytrail('setUserToken', 'queued-user');
    vi.resetModules();
    await import('../../src/auto');
    trail = window.QueryTrail?.instance;
    expect(trail?.getUserToken()).toBe('queued-user');

    const callThrough = window.querytrail as unknown as (method: string, ...args: unknown[]) => unknown;
    expect(window.querytrail.q).toBeUndefined();
    callThrough('setAuthenticatedUserToken', 'member-7');
    expect(callThrough('getUserToken')).toBe('queued-user');
    expect(callThrough('track', hit)).toBe(true);
    expect(accepted).toMatchObject([{ userToken: 'queued-user', authenticatedUserToken: 'member-7' }]);
    callThrough('sendEvent');
    expect(error).toHaveBeenCalledExactlyOnceWith('QueryTrail: unknown method "sendEvent"');
  });
});
