import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { createOutbox } from '../../src/delivery/outbox';
import type { InsightsEvent } from '../../src/events/schemas';
import { init, type QueryTrail } from '../../src/trail';
import { clearCookies } from '../support/cookies';
import { testOptions } from '../support/options';
import { clicksHandled, listenToAnnouncements, type Rejection } from '../support/announcements';
import { nextPageDrains } from '../support/outbox';

const QUERY_ID = '0123456789abcdef0123456789abcdef';

let trail: QueryTrail | undefined;
let accepted: Array<Record<string, unknown>>;
let rejected: Rejection[];
let stopListening: () => void;

beforeEach(() => {
  ({ accepted, rejected, stop: stopListening } = listenToAnnouncements());
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"status":200,"message":"OK"}')),
  );
});

afterEach(() => {
  trail?.destroy();
  trail = undefined;
  stopListening();
  document.body.innerHTML = '';
  clearCookies();
  delete (window as { aa?: unknown }).aa;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  // Each test is a new tab: nothing a page handed off for the tab's next page carries over.
  localStorage.clear();
  sessionStorage.clear();
});

/** Clicks the element, and waits for the task in which the click's event is queued and announced. */
const click = async (selector: string) => {
  (document.querySelector(selector) as HTMLElement).click();
  await clicksHandled();
};

describe('clicks on results', () => {
  beforeEach(() => {
    document.body.innerHTML = `
      <ol data-insights-index="products" data-insights-query-id="${QUERY_ID}" data-insights-page="1" data-insights-hits-per-page="10">
        <li data-insights-object-id="sku-1"><a href="#1"><span id="one">One</span></a></li>
        <li data-insights-object-id="sku-2" data-insights-event-name="Product Clicked"><a href="#2"><span id="two">Two</span></a></li>
      </ol>
      <ul data-insights-index="articles"><li data-insights-object-id="post-9"><span id="article">Read</span></li></ul>`;
  });

  it('sends clickedObjectIDsAfterSearch with queryID, position, token and the click’s time', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_700_000_000_123);
    trail = init({ ...testOptions, userToken: 'user-1', authenticatedUserToken: 'member-7' });
    await click('#one');
    expect(accepted).toEqual([
      {
        eventType: 'click',
        eventName: 'Hit Clicked',
        index: 'products',
        objectIDs: ['sku-1'],
        queryID: QUERY_ID,
        positions: [11],
        userToken: 'user-1',
        authenticatedUserToken: 'member-7',
        timestamp: 1_700_000_000_123,
      },
    ]);
  });

  it('takes the nearest event name, and sends clickedObjectIDs when no queryID is known', async () => {
    trail = init({ ...testOptions, userToken: 'user-1' });
    await click('#two');
    await click('#article');
    expect(accepted).toMatchObject([
      { eventName: 'Product Clicked', objectIDs: ['sku-2'], positions: [12] },
      { eventType: 'click', eventName: 'Hit Clicked', index: 'articles', objectIDs: ['post-9'] },
    ]);
    expect(accepted[1]).not.toHaveProperty('queryID');
    expect(accepted[1]).not.toHaveProperty('positions');
  });

  it('counts middle clicks but not right clicks', async () => {
    trail = init(testOptions);
    const target = document.querySelector('#one') as HTMLElement;
    target.dispatchEvent(new MouseEvent('auxclick', { bubbles: true, button: 1 }));
    target.dispatchEvent(new MouseEvent('auxclick', { bubbles: true, button: 2 }));
    await clicksHandled();
    expect(accepted).toHaveLength(1);
  });

  it('never calls preventDefault', async () => {
    trail = init(testOptions);
    const event = new MouseEvent('click', { bubbles: true, cancelable: true });
    (document.querySelector('#one') as HTMLElement).dispatchEvent(event);
    await clicksHandled();
    expect(event.defaultPrevented).toBe(false);
    expect(accepted).toHaveLength(1);
  });

  it('sends nothing after opt-out or destroy', async () => {
    trail = init({ ...testOptions, optOut: true });
    await click('#one');
    trail.setOptOut(false);
    await click('#one');
    trail.destroy();
    await click('#one');
    expect(accepted).toHaveLength(1);
  });
});

describe('broken markup', () => {
  it.each([
    [
      'position 0',
      `<li data-insights-index="p" data-insights-query-id="${QUERY_ID}" data-insights-object-id="a" data-insights-position="0"><b>x</b></li>`,
      'positions.0: must be a whole number from 1',
    ],
    ['an empty objectID', `<li data-insights-index="p" data-insights-object-id=""><b>x</b></li>`, 'objectIDs.0: must not be empty'],
    [
      'a 100-character event name',
      `<li data-insights-index="p" data-insights-object-id="a" data-insights-event-name="${'n'.repeat(100)}"><b>x</b></li>`,
      'eventName: must be 1 to 64',
    ],
    ['no index', `<li data-insights-object-id="a"><b>x</b></li>`, 'index: must not be empty'],
    ['a filter without attribute', `<a data-insights-index="p" data-insights-filter="Apple"><b>x</b></a>`, 'filters.0: must be "attribute:value"'],
  ])('drops %s with a warning naming the element and the rule', async (_, markup, rule) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML = markup;
    trail = init(testOptions);
    await click('b');
    expect(accepted).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.rule).toContain(rule);
    expect(rejected[0]?.element).toBe(document.body.firstElementChild);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[1])).toContain(rule);
    expect(String(warn.mock.calls[0]?.[1])).toContain(`from <${(document.body.firstElementChild as Element).localName}`);
  });
  it('sends a click whose queryID is invalid without it (no valid queryID is known: docs/behaviour.md, Attribution), with a warning naming the element', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML = `
      <ol data-insights-index="p" data-insights-query-id="${QUERY_ID}">
        <li id="bad" data-insights-object-id="a" data-insights-query-id="not-a-query-id"><b>x</b></li>
        <li id="empty" data-insights-object-id="b" data-insights-query-id=""><i>y</i></li>
      </ol>`;
    trail = init(testOptions);
    await click('b');
    await click('i');
    expect(accepted).toMatchObject([
      { eventType: 'click', index: 'p', objectIDs: ['a'] },
      { eventType: 'click', index: 'p', objectIDs: ['b'] },
    ]);
    for (const event of accepted) expect(event).not.toHaveProperty('queryID');
    expect(rejected).toEqual([]);
    // An empty queryID is none at all: only the invalid one is worth a warning.
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]?.[1])).toMatch(
      /<li id="bad".*data-insights-query-id "not-a-query-id" ignored: a queryID is 32 lowercase hexadecimal/,
    );
  });
});

describe('filters', () => {
  it('sends clickedFilters with the container’s index, split into events of 20', async () => {
    const many = Array.from({ length: 25 }, (_, n) => `size:${n}`).join(',');
    document.body.innerHTML = `
      <aside data-insights-index="products"><a id="brand" data-insights-filter="brand:Apple Inc,discount:10%">Apple</a></aside>
      <a id="sizes" data-insights-filter="${many}">All sizes</a>`;
    trail = init({ ...testOptions, index: 'fallback_index' });
    await click('#brand');
    await click('#sizes');
    expect(accepted).toMatchObject([
      { eventType: 'click', eventName: 'Filter Clicked', index: 'products', filters: ['brand:Apple%20Inc', 'discount:10%25'] },
      { index: 'fallback_index', filters: Array.from({ length: 20 }, (_, n) => `size:${n}`) },
      { index: 'fallback_index', filters: ['size:20', 'size:21', 'size:22', 'size:23', 'size:24'] },
    ]);
  });
});

describe('labels', () => {
  it('sends one event for a click on a label around its checkbox, which the browser follows with a click on the checkbox', async () => {
    document.body.innerHTML = `
      <ul data-insights-index="products">
        <li data-insights-filter="brand:Apple"><label><input type="checkbox"><span id="apple">Apple</span></label></li>
        <li><label data-insights-filter="brand:Acme" for="acme"><span id="acme-label">Acme</span></label><input type="checkbox" id="acme"></li>
      </ul>`;
    trail = init(testOptions);
    await click('#apple');
    await click('#acme-label');
    expect(accepted).toMatchObject([{ filters: ['brand:Apple'] }, { filters: ['brand:Acme'] }]);
  });
});

describe('identity', () => {
  beforeEach(() => {
    document.body.innerHTML = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
  });

  it('prefers the option, then search-insights, then the _ALGOLIA cookie, then a new anonymous token', () => {
    document.cookie = '_ALGOLIA=anonymous-from-cookie;path=/';
    (window as { aa?: unknown }).aa = (method: string, _: null, callback: (error: null, token: string) => void) => {
      if (method === 'getUserToken') callback(null, 'from-search-insights');
    };
    const tokenOf = (options: object) => {
      const instance = init(options);
      instance.destroy();
      return instance.getUserToken();
    };
    expect(tokenOf({ ...testOptions, userToken: 'from-option' })).toBe('from-option');
    expect(tokenOf(testOptions)).toBe('from-search-insights');
    delete (window as { aa?: unknown }).aa;
    expect(tokenOf(testOptions)).toBe('anonymous-from-cookie');
    clearCookies();
    expect(tokenOf(testOptions)).toMatch(/^anonymous-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads no later source than the one that gives a valid token: with the option, localStorage is never read', async () => {
    const read = vi.spyOn(localStorage, 'getItem');
    // The click leaves in a beacon at pagehide.
    vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    trail = init({ ...testOptions, userToken: 'from-option' });
    document.body.innerHTML = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
    await click('b');
    window.dispatchEvent(new Event('pagehide'));
    expect(accepted).toMatchObject([{ userToken: 'from-option' }]);
    expect(read).not.toHaveBeenCalled();
    trail.destroy();
    trail = init(testOptions);
    expect(trail.getUserToken()).toMatch(/^anonymous-/);
    expect(read).toHaveBeenCalledWith('querytrail-user-token');
  });

  it('passes over an invalid token from search-insights or the cookie with a console.error, and sends a valid one', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    document.cookie = '_ALGOLIA=has%20space;path=/';
    (window as { aa?: unknown }).aa = (method: string, _: null, callback: (error: null, token: string) => void) => {
      if (method === 'getUserToken') callback(null, 'é'.repeat(3));
    };
    trail = init(testOptions);
    expect(trail.getUserToken()).toMatch(/^anonymous-[0-9a-f-]{36}$/);
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([
      expect.stringMatching(/search-insights: "ééé" is not a valid user token \(1 to 128 characters.*not used/),
      expect.stringMatching(/cookie: "has space" is not a valid user token/),
    ]);
    await click('b');
    expect(accepted).toMatchObject([{ userToken: trail.getUserToken() }]);
  });

  it('ignores a search-insights stub that only queues calls', () => {
    (window as { aa?: unknown }).aa = () => {};
    trail = init(testOptions);
    expect(trail.getUserToken()).toMatch(/^anonymous-/);
  });

  it('keeps the anonymous token in the _ALGOLIA cookie only with useCookie and consent', () => {
    trail = init({ ...testOptions, useCookie: true, consent: 'pending' });
    expect(document.cookie).not.toContain('_ALGOLIA');
    trail.setConsent('granted');
    expect(document.cookie).toContain(`_ALGOLIA=${trail.getUserToken()}`);
  });

  it('writes the cookie for 6 months, for the whole site, SameSite=Lax, Secure only on https', () => {
    // The accessor lives on one of the document's prototypes.
    let owner: object = document;
    while (!Object.getOwnPropertyDescriptor(owner, 'cookie')) owner = Object.getPrototypeOf(owner) as object;
    const written = vi.spyOn(owner as Document, 'cookie', 'set');
    trail = init({ ...testOptions, useCookie: true });
    const attributes = String(written.mock.calls.at(-1)?.[0]).split(';');
    expect(attributes[0]).toBe(`_ALGOLIA=${trail.getUserToken()}`);
    expect(attributes.slice(1).sort()).toEqual(
      ['SameSite=Lax', 'max-age=15552000', 'path=/'].concat(location.protocol === 'https:' ? ['Secure'] : []).sort(),
    );
  });

  describe('one token per visit without a cookie', () => {
    const MINUTE = 60_000;
    const T0 = 1_700_000_000_000;
    let now = T0;
    beforeEach(() => {
      now = T0;
      vi.spyOn(Date, 'now').mockImplementation(() => now);
    });
    /** A page load: the token it starts with. */
    const pageLoad = (options: object = testOptions) => {
      const page = init(options);
      page.destroy();
      return page.getUserToken();
    };

    it('gives the next pages of the visit the token the first one generated, until 30 minutes without a page', () => {
      const first = pageLoad();
      expect(first).toMatch(/^anonymous-[0-9a-f-]{36}$/);
      now += 29 * MINUTE;
      expect(pageLoad()).toBe(first);
      // 30 minutes from that page on: a new visit.
      now += 30 * MINUTE;
      const next = pageLoad();
      expect(next).not.toBe(first);
      expect(document.cookie).not.toContain(first);
    });

    it('renews the 30 minutes when the page is hidden or left, never on a click', async () => {
      // The click leaves in a beacon at pagehide.
      vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
      trail = init(testOptions);
      const token = trail.getUserToken();
      const stored = () => Object.values({ ...localStorage });
      const atStart = stored();
      now += 20 * MINUTE;
      await click('b');
      expect(stored(), 'written on the click').toEqual(atStart);
      window.dispatchEvent(new Event('pagehide'));
      expect(stored()).not.toEqual(atStart);
      trail.destroy();
      now += 25 * MINUTE;
      expect(pageLoad()).toBe(token);
    });

    it('stores nothing without storage consent, and the token once consent is granted; opt-out removes it', () => {
      const pending = { ...testOptions, consent: 'pending' };
      const first = pageLoad(pending);
      expect(pageLoad(pending)).not.toBe(first);
      expect(localStorage.length).toBe(0);
      trail = init(pending);
      const granted = trail.getUserToken();
      trail.setConsent('granted');
      trail.destroy();
      expect(pageLoad()).toBe(granted);
      trail = init(testOptions);
      trail.setOptOut(true);
      expect(localStorage.length).toBe(0);
      trail.destroy();
      expect(pageLoad()).not.toBe(granted);
    });

    it('comes after the option, search-insights and the _ALGOLIA cookie, which it never replaces', () => {
      const visit = pageLoad();
      expect(pageLoad({ ...testOptions, userToken: 'from-option' })).toBe('from-option');
      document.cookie = '_ALGOLIA=anonymous-from-cookie;path=/';
      expect(pageLoad()).toBe('anonymous-from-cookie');
      clearCookies();
      expect(pageLoad()).toBe(visit);
    });

    it('keeps the token in the _ALGOLIA cookie instead with useCookie', () => {
      const token = pageLoad({ ...testOptions, useCookie: true });
      expect(document.cookie).toContain(`_ALGOLIA=${token}`);
      expect(localStorage.length).toBe(0);
    });
  });

  it('never writes the cookie without useCookie', () => {
    trail = init(testOptions);
    expect(document.cookie).not.toContain('_ALGOLIA');
  });

  it('starts, refusing the _ALGOLIA cookie with a clear error, when another script wrote it in no valid URI encoding', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    document.cookie = '_ALGOLIA=100%;path=/';
    trail = init(testOptions);
    expect(trail.getUserToken()).toMatch(/^anonymous-[0-9a-f-]{36}$/);
    expect(error.mock.calls.map((call) => call.join(' '))).toEqual([expect.stringMatching(/cookie: "100%" is not a valid user token/)]);
  });

  it('works in memory with a new token where touching any storage throws (a frame sandboxed without allow-same-origin), and throws nothing into the page', async () => {
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    vi.spyOn(window, 'sessionStorage', 'get').mockImplementation(blocked);
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(blocked);
    vi.stubGlobal('indexedDB', { open: blocked, deleteDatabase: blocked });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    // Shadows the accessor of the document's prototype until deleted.
    Object.defineProperty(document, 'cookie', { get: blocked, set: blocked, configurable: true });
    try {
      trail = init({ ...testOptions, useCookie: true, consent: 'pending', debug: true });
      expect(error).not.toHaveBeenCalled();
      expect(trail.getUserToken()).toMatch(/^anonymous-[0-9a-f-]{36}$/);
      trail.setConsent('granted');
      await click('b');
      expect(accepted).toMatchObject([{ userToken: trail.getUserToken() }]);
      await vi.waitFor(() => expect(log.mock.calls.flat().join(' ')).toContain('IndexedDB failed, using memory'));
      trail.setOptOut(true);
    } finally {
      delete (document as { cookie?: string }).cookie;
    }
  });

  it('rejects invalid tokens with a clear error and keeps the previous one', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    trail = init({ ...testOptions, userToken: 'user-1' });
    trail.setUserToken('has spaces');
    trail.setAuthenticatedUserToken('é');
    expect(error).toHaveBeenCalledTimes(2);
    expect(String(error.mock.calls[0]?.[1])).toContain('"has spaces" is not a valid user token');
    await click('b');
    expect(accepted).toMatchObject([{ userToken: 'user-1' }]);
    expect(accepted[0]).not.toHaveProperty('authenticatedUserToken');
  });

  it('stamps later events with tokens set at runtime', async () => {
    trail = init(testOptions);
    trail.setUserToken('user-2');
    trail.setAuthenticatedUserToken('member-2');
    await click('b');
    trail.setAuthenticatedUserToken(undefined);
    await click('b');
    expect(accepted).toMatchObject([{ userToken: 'user-2', authenticatedUserToken: 'member-2' }, { userToken: 'user-2' }]);
    expect(accepted[1]).not.toHaveProperty('authenticatedUserToken');
  });
});

describe('runtime API', () => {
  it('tracks hand-built events through validation, filling in token and time', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    trail = init({ ...testOptions, userToken: 'user-1' });
    expect(trail.track({ eventType: 'view', eventName: 'Product Viewed', index: 'products', objectIDs: ['sku-1'] })).toBe(true);
    expect(trail.track({ eventType: 'view', eventName: 'Product Viewed', index: 'products', objectIDs: [] })).toBe(false);
    expect(accepted).toMatchObject([{ eventType: 'view', userToken: 'user-1', objectIDs: ['sku-1'], timestamp: expect.any(Number) }]);
    expect(rejected[0]?.rule).toContain('objectIDs: must hold 1 to 20 items');
  });

  it('flush() sends what waits as one text/plain request with credentials in the query string', async () => {
    document.body.innerHTML = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
    trail = init({ ...testOptions, userToken: 'user-1' });
    await click('b');
    await click('b');
    await trail.flush();
    const fetch = vi.mocked(globalThis.fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, request] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toMatch(/^http:\/\/collector\.test\/1\/events\?X-Algolia-Application-Id=APP&X-Algolia-API-Key=key&X-Algolia-Agent=QueryTrail/);
    expect(typeof request.body).toBe('string');
    expect(JSON.parse(request.body as string).events).toHaveLength(2);
  });

  it('logs every event and every rejection in debug mode', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
    trail = init({ ...testOptions, debug: true });
    await click('b');
    // @ts-expect-error: a script without types can pass any event; this one is refused
    trail.track({ eventType: 'nope' });
    expect(log.mock.calls.some(([, what, event]) => what === 'event' && (event as { objectIDs: string[] }).objectIDs[0] === 'a')).toBe(true);
    expect(rejected).toHaveLength(1);
  });

  it('keeps quiet without debug', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    document.body.innerHTML = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
    trail = init(testOptions);
    await click('b');
    expect(log).not.toHaveBeenCalled();
  });
});

describe('one instance per page (a framework’s double mount, hot reload)', () => {
  beforeEach(() => {
    document.body.innerHTML = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
  });

  it('returns the running instance from a second init(), with its own options, and says so in debug mode', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    trail = init({ ...testOptions, userToken: 'first', debug: true });
    const second = init({ ...testOptions, userToken: 'second' });
    expect(second).toBe(trail);
    expect(second.getUserToken()).toBe('first');
    expect(log).toHaveBeenCalledWith('QueryTrail:', expect.stringContaining('a second init() returns the running instance'));
    await click('b');
    expect(accepted).toHaveLength(1);
  });

  it('starts a fresh instance after destroy(): mount, unmount, mount again', async () => {
    const first = init({ ...testOptions, userToken: 'first' });
    first.destroy();
    trail = init({ ...testOptions, userToken: 'second' });
    expect(trail).not.toBe(first);
    await click('b');
    expect(accepted).toMatchObject([{ userToken: 'second' }]);
  });

  it('keeps the instance that runs when an earlier one is destroyed late', () => {
    const first = init(testOptions);
    first.destroy();
    trail = init(testOptions);
    first.destroy();
    expect(init(testOptions)).toBe(trail);
  });

  it('finds the running instance from a copy of the module evaluated again (hot reload)', async () => {
    trail = init(testOptions);
    vi.resetModules();
    const reloaded = await import('../../src/trail');
    expect(reloaded.init).not.toBe(init);
    expect(reloaded.init(testOptions)).toBe(trail);
  });

  it('starts on a later init() when an earlier one had invalid options', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const inactive = init({ appId: 'APP' });
    trail = init(testOptions);
    expect(trail).not.toBe(inactive);
    await click('b');
    expect(accepted).toHaveLength(1);
  });
});

describe('storage and delivery through the runtime API', () => {
  const markup = '<div data-insights-index="p" data-insights-object-id="a"><b>x</b></div>';
  const storedClick = (): InsightsEvent => ({
    eventType: 'click',
    eventName: 'Hit Clicked',
    index: 'p',
    userToken: 'user-1',
    timestamp: Date.now(),
    objectIDs: ['stored'],
  });
  const answering = (status: number) => vi.fn(async (_url: string, _request?: RequestInit) => new Response('{}', { status }));
  /** Every send is answered 200, but the first one only when the test calls `answer`. */
  const firstSendHeld = () => {
    let respond: (response: Response) => void = () => {};
    const fetch = answering(200);
    fetch.mockImplementationOnce(() => new Promise<Response>((resolve) => (respond = resolve)));
    vi.stubGlobal('fetch', fetch);
    return { fetch, answer: (status: number) => respond(new Response('{}', { status })) };
  };
  beforeEach(() => {
    vi.stubGlobal('indexedDB', new IDBFactory());
    document.body.innerHTML = markup;
  });

  it('sends nothing of the event whose querytrail:event listener calls setOptOut(true) (a consent tool reacting to the first event)', async () => {
    const fetch = answering(200);
    vi.stubGlobal('fetch', fetch);
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    trail = init(testOptions);
    const optOut = () => trail?.setOptOut(true);
    document.addEventListener('querytrail:event', optOut);
    try {
      await click('b');
    } finally {
      document.removeEventListener('querytrail:event', optOut);
    }
    await trail.flush();
    window.dispatchEvent(new Event('pagehide'));
    expect(fetch).not.toHaveBeenCalled();
    expect(beacon).not.toHaveBeenCalled();
  });

  it('sends nothing after setOptOut(true), not even a send that was in flight and failed', async () => {
    const { fetch, answer } = firstSendHeld();
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    trail = init(testOptions);
    await click('b');
    const inFlight = trail.flush();
    trail.setOptOut(true);
    answer(503);
    await inFlight;
    await trail.flush();
    window.dispatchEvent(new Event('pagehide'));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(beacon).not.toHaveBeenCalled();
  });

  it('destroy() while a send is in flight: what fails is kept for a later page, nothing more is sent from this one', async () => {
    const { fetch, answer } = firstSendHeld();
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    trail = init(testOptions);
    await click('b');
    void trail.flush();
    trail.destroy();
    answer(503);
    await vi.waitFor(async () => expect(await nextPageDrains()).toMatchObject([{ objectIDs: ['a'] }]));
    window.dispatchEvent(new Event('online'));
    window.dispatchEvent(new Event('pagehide'));
    await trail.flush();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(beacon).not.toHaveBeenCalled();
  });

  it('sends nothing of what a retry was taking out of the stored outbox when setOptOut(true) came', async () => {
    await createOutbox({ persistent: true }).add([storedClick()]);
    const fetch = answering(200);
    vi.stubGlobal('fetch', fetch);
    const factory = indexedDB;
    const open = factory.open.bind(factory);
    let outboxOpened = () => {};
    const opening = new Promise<void>((resolve) => (outboxOpened = resolve));
    vi.spyOn(factory, 'open').mockImplementation((name, version) => {
      if (name === 'querytrail-outbox') outboxOpened();
      return open(name, version);
    });
    trail = init(testOptions);
    // The start's retry is reading the stored outbox when the visitor opts out.
    await opening;
    trail.setOptOut(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fetch).not.toHaveBeenCalled();
  });

  it('sends what earlier pages stored once setConsent("granted") comes after start', async () => {
    await createOutbox({ persistent: true }).add([storedClick()]);
    const fetch = answering(200);
    vi.stubGlobal('fetch', fetch);
    trail = init({ ...testOptions, consent: 'pending' });
    // A consent banner answers a while after the page started.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetch).not.toHaveBeenCalled();
    trail.setConsent('granted');
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    expect(JSON.parse(fetch.mock.calls[0]?.[1]?.body as string).events).toMatchObject([{ objectIDs: ['stored'] }]);
  });

  it('stores what failed before consent once setConsent("granted") comes', async () => {
    vi.stubGlobal('fetch', answering(503));
    trail = init({ ...testOptions, consent: 'pending' });
    await click('b');
    await trail.flush();
    trail.setConsent('granted');
    await vi.waitFor(async () => expect(await nextPageDrains()).toMatchObject([{ objectIDs: ['a'] }]));
  });

  it('leaves the stored outbox for a later page when a 401 refuses it', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await createOutbox({ persistent: true }).add([storedClick()]);
    const fetch = answering(401);
    vi.stubGlobal('fetch', fetch);
    trail = init(testOptions);
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
    await trail.flush();
    expect(await nextPageDrains()).toMatchObject([{ objectIDs: ['stored'] }]);
  });
});

describe('what a click costs the page: its event is queued in a task of its own', () => {
  /** Clicks, and goes on in the same task: what the click left for later has not run yet. */
  const clickOnly = (selector: string) => (document.querySelector(selector) as HTMLElement).click();
  const answering = () => vi.fn(async (_url: string, _request?: RequestInit) => new Response('{}', { status: 200 }));
  const fetchedEvents = (fetch: ReturnType<typeof answering>) => fetch.mock.calls.flatMap(([, request]) => JSON.parse(String(request?.body)).events);
  beforeEach(() => {
    vi.stubGlobal('indexedDB', new IDBFactory());
    document.body.innerHTML = `
      <ol data-insights-index="products" data-insights-query-id="${QUERY_ID}">
        <li data-insights-object-id="sku-1" data-insights-position="4"><a id="result" href="#sku-1">One</a></li>
      </ol>
      <section data-insights-index="products">
        <div data-insights-object-id="sku-1"><button id="add" data-insights-conversion="addToCart">Add</button></div>
      </section>`;
  });

  it('announces the event after the click’s own task, not during it', async () => {
    trail = init(testOptions);
    clickOnly('#result');
    expect(accepted).toEqual([]);
    await clicksHandled();
    expect(accepted).toMatchObject([{ objectIDs: ['sku-1'], queryID: QUERY_ID, positions: [4] }]);
  });

  it('reads the markup as it stood at the click, whatever the page’s own click handler changes', async () => {
    trail = init(testOptions);
    const link = document.querySelector('#result') as HTMLElement;
    const item = link.parentElement as HTMLElement;
    link.addEventListener('click', () => {
      item.setAttribute('data-insights-object-id', 'sku-2');
      item.setAttribute('data-insights-position', '9');
      item.remove();
    });
    link.click();
    await clicksHandled();
    expect(accepted).toMatchObject([{ objectIDs: ['sku-1'], queryID: QUERY_ID, positions: [4] }]);
  });

  it('sends the event of a click made just before flush()', async () => {
    const fetch = answering();
    vi.stubGlobal('fetch', fetch);
    trail = init(testOptions);
    clickOnly('#result');
    await trail.flush();
    expect(fetchedEvents(fetch)).toMatchObject([{ objectIDs: ['sku-1'], queryID: QUERY_ID }]);
  });

  it('sends the event of a click made just before the page is left, in the exit’s beacon', () => {
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    trail = init(testOptions);
    clickOnly('#result');
    window.dispatchEvent(new Event('pagehide'));
    const beaconed = beacon.mock.calls.flatMap(([, body]) => JSON.parse(String(body)).events);
    expect(beaconed).toMatchObject([{ objectIDs: ['sku-1'], queryID: QUERY_ID }]);
  });

  it('sends the event of a click made just before destroy()', async () => {
    const fetch = answering();
    vi.stubGlobal('fetch', fetch);
    trail = init(testOptions);
    clickOnly('#result');
    trail.destroy();
    expect(accepted).toHaveLength(1);
    await vi.waitFor(() => expect(fetchedEvents(fetch)).toMatchObject([{ objectIDs: ['sku-1'] }]));
  });

  it('sends nothing of a click made just before setOptOut(true)', async () => {
    const fetch = answering();
    vi.stubGlobal('fetch', fetch);
    const beacon = vi.spyOn(navigator, 'sendBeacon').mockReturnValue(true);
    trail = init(testOptions);
    clickOnly('#result');
    trail.setOptOut(true);
    await clicksHandled();
    await trail.flush();
    window.dispatchEvent(new Event('pagehide'));
    expect(fetch).not.toHaveBeenCalled();
    expect(beacon).not.toHaveBeenCalled();
  });

  it('attributes an add-to-cart made before the result click’s task to the search of that click', async () => {
    trail = init(testOptions);
    // Moments after start, what earlier pages stored is loaded: from then on a conversion is resolved at once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Both in one task: the conversion reads the queryID the click remembers.
    clickOnly('#result');
    clickOnly('#add');
    await clicksHandled();
    expect(accepted).toMatchObject([
      { eventType: 'click', objectIDs: ['sku-1'] },
      { eventType: 'conversion', eventSubtype: 'addToCart', objectIDs: ['sku-1'], queryID: QUERY_ID },
    ]);
  });
});
