import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { explain, type AuditContext } from '../../src/audit/explain';
import { auditMarkup, closestName, RULES, type Rule } from '../../src/audit/problems';
import { readPageOptions, tokenSourceOf } from '../../src/audit/state';
import { keepVisitToken } from '../../src/storage/visit-token';
import { parseOptions, type Options } from '../../src/options';
import type { RememberedQuery } from '../../src/storage/query-ids';
import { clearCookies } from '../support/cookies';
import { credentials } from '../support/options';

const SEARCH = 'a'.repeat(32);
const OTHER_SEARCH = 'b'.repeat(32);
const LANDING = 'c'.repeat(32);
const NOW = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

const $ = (selector: string) => document.querySelector(selector) as Element;

function contextWith(options: Record<string, unknown> = {}, remembered: [string, RememberedQuery][] = []): AuditContext {
  const parsed = parseOptions({ ...credentials, ...options }) as { ok: true; options: Options };
  return { options: parsed.options, remembered: new Map(remembered), userToken: 'anonymous-test', now: NOW };
}

/** The problems of the page, as rule and the id of the element named. */
const problemsOf = (context = contextWith()) =>
  auditMarkup(document, context).problems.map(({ rule, element, message }) => ({ rule, id: element.id, message }));

beforeEach(() => {
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
});
afterEach(() => history.replaceState(null, '', '/'));

describe('explain()', () => {
  it('resolves an object as its click would carry it: index, queryID, position from page × hits per page, event name', () => {
    document.body.innerHTML = `
      <ol id="list" data-insights-index="products" data-insights-query-id="${SEARCH}" data-insights-page="2" data-insights-hits-per-page="10">
        <li data-insights-object-id="sku-1"></li>
        <li id="second" data-insights-object-id="sku-2" data-insights-event-name="Card Clicked"></li>
      </ol>`;
    const { object, container } = explain($('#second'), contextWith());
    expect(object).toEqual({
      objectID: 'sku-2',
      index: 'products',
      queryID: SEARCH,
      position: 22,
      eventName: 'Card Clicked',
      click: { sent: true, variant: 'clickedObjectIDsAfterSearch' },
      status: 'complete',
    });
    expect(container).toBeUndefined();
    expect(explain($('#list'), contextWith()).container).toEqual({ index: 'products', queryID: SEARCH, page: '2', hitsPerPage: '10' });
  });

  it('colours an object amber without a queryID, red where its click is refused, and grey in an ignore zone', () => {
    document.body.innerHTML = `
      <div data-insights-index="products">
        <p id="plain" data-insights-object-id="sku-1"></p>
        <p id="bad-query" data-insights-object-id="sku-2" data-insights-query-id="not-hex"></p>
        <div data-insights-ignore><p id="ignored" data-insights-object-id="sku-3"></p></div>
      </div>
      <p id="no-index" data-insights-object-id="sku-4"></p>`;
    const context = contextWith();
    expect(explain($('#plain'), context).object).toMatchObject({ status: 'no-query-id', click: { sent: true, variant: 'clickedObjectIDs' } });
    // A malformed queryID is left out, as QueryTrail does: the click goes without it.
    expect(explain($('#bad-query'), context).object).toMatchObject({ queryID: undefined, status: 'no-query-id' });
    expect(explain($('#ignored'), context)).toMatchObject({ ignored: true, object: { status: 'ignored' } });
    const refused = explain($('#no-index'), context).object;
    expect(refused?.status).toBe('rejected');
    expect(refused?.click).toEqual({ sent: false, rule: expect.stringContaining('index') });
    // With the index option, the same object is fine.
    expect(explain($('#no-index'), contextWith({ index: 'products' })).object?.status).toBe('no-query-id');
  });

  it('shows a filter’s attribute:value pairs as they are sent', () => {
    document.body.innerHTML = `<div data-insights-index="products"><a id="f" data-insights-filter="brand:Apple Inc, discount:10%">x</a></div>`;
    expect(explain($('#f'), contextWith()).filter).toEqual({
      filters: ['brand:Apple%20Inc', 'discount:10%25'],
      index: 'products',
      eventName: 'Filter Clicked',
      click: [{ sent: true, variant: 'clickedFilters' }],
    });
  });

  it('gives each object of a conversion its queryID and where it comes from: markup, landing, remembered with its age, or none with the reason', () => {
    history.replaceState(null, '', `/product?queryID=${LANDING}`);
    document.body.innerHTML = `
      <div data-insights-index="products">
        <article id="about" data-insights-object-id="sku-about" data-insights-price="10"></article>
        <article id="marked" data-insights-object-id="sku-marked" data-insights-query-id="${SEARCH}" data-insights-price="5"></article>
        <article id="remembered" data-insights-object-id="sku-remembered" data-insights-price="1"></article>
        <article id="forgotten" data-insights-object-id="sku-forgotten" data-insights-price="1"></article>
        <article id="elsewhere" data-insights-object-id="sku-elsewhere" data-insights-price="1"></article>
      </div>
      <form id="buy" data-insights-conversion="purchase" data-insights-items="article" data-insights-currency="EUR"></form>`;
    const context = contextWith({}, [
      ['sku-remembered', { index: 'products', queryID: OTHER_SEARCH, at: NOW - 3 * MINUTE }],
      ['sku-elsewhere', { index: 'offers', queryID: OTHER_SEARCH, at: NOW - MINUTE }],
    ]);
    const conversion = explain($('#buy'), context).conversion;
    expect(conversion).toMatchObject({ kind: 'purchase', onLoad: false, eventName: 'Purchased', currency: 'EUR', value: undefined });
    expect(conversion?.items.map(({ objectID, queryID }) => [objectID, queryID])).toEqual([
      ['sku-about', { source: 'landing', queryID: LANDING }],
      ['sku-marked', { source: 'markup', queryID: SEARCH }],
      ['sku-remembered', { source: 'remembered', queryID: OTHER_SEARCH, ageMs: 3 * MINUTE }],
      [
        'sku-forgotten',
        {
          source: 'none',
          reason: 'no data-insights-query-id; the landing queryID belongs to sku-about, what the page is about; nothing remembered for it',
        },
      ],
      ['sku-elsewhere', { source: 'none', reason: expect.stringContaining('remembered for index offers, not products') }],
    ]);
    expect(conversion?.events).toEqual([{ sent: true, variant: 'purchasedObjectIDsAfterSearch' }]);
  });

  it('says why a conversion sends nothing, and why revenue is left out', () => {
    document.body.innerHTML = `
      <div data-insights-index="products"><p id="item" data-insights-object-id="sku-1" data-insights-price="3"></p></div>
      <button id="cart" data-insights-conversion="addToCart" data-insights-items="#item">Add</button>
      <button id="nothing" data-insights-conversion="" data-insights-items=".missing">Go</button>`;
    const cart = explain($('#cart'), contextWith()).conversion;
    expect(cart?.notes).toEqual(['revenue left out: no data-insights-currency and no currency option']);
    expect(cart?.events).toEqual([{ sent: true, variant: 'addedToCartObjectIDs' }]);
    expect(explain($('#nothing'), contextWith()).conversion?.events).toEqual([
      { sent: false, rule: expect.stringContaining('no object to convert') },
    ]);
  });
});

describe('the markup rules', () => {
  it('finds nothing wrong in complete markup', () => {
    document.body.innerHTML = `
      <ol data-insights-index="products" data-insights-query-id="${SEARCH}" data-insights-page="1" data-insights-hits-per-page="2">
        <li data-insights-object-id="sku-1" data-insights-price="9.99"><button data-insights-conversion="addToCart" data-insights-currency="EUR">Add</button></li>
        <li data-insights-object-id="sku-2"></li>
      </ol>
      <a data-insights-index="products" data-insights-filter="brand:Aurora">Aurora</a>`;
    expect(problemsOf()).toEqual([]);
  });

  const cases: [Rule, string, RegExp][] = [
    ['unknown-attribute', `<p id="x" data-insights-index="p" data-insights-objectid="sku-1"></p>`, /did you mean data-insights-object-id\?/],
    ['object-without-index', `<p id="x" data-insights-object-id="sku-1"></p>`, /sku-1 has no index/],
    [
      'malformed-query-id',
      `<ol data-insights-index="p"><li id="x" data-insights-object-id="a" data-insights-query-id="ABC"></li></ol>`,
      /"ABC" is not 32 lowercase/,
    ],
    [
      'duplicate-position',
      `<ol data-insights-index="p"><li data-insights-object-id="a" data-insights-position="3"></li><li id="x" data-insights-object-id="b" data-insights-position="3"></li></ol>`,
      /position 3 again: a has it too/,
    ],
    ['impossible-position', `<ol data-insights-index="p"><li id="x" data-insights-object-id="a" data-insights-position="0"></li></ol>`, /position 0/],
    [
      'page-without-hits-per-page',
      `<ol id="x" data-insights-index="p" data-insights-page="2"><li data-insights-object-id="a"></li></ol>`,
      /page="2"/,
    ],
    [
      'not-a-number',
      `<ol data-insights-index="p"><li id="x" data-insights-object-id="a" data-insights-price="12,50"></li></ol>`,
      /price="12,50" is not a number/,
    ],
    [
      'purchase-without-currency',
      `<ol data-insights-index="p"><li data-insights-object-id="a" data-insights-price="3"></li></ol><form id="x" data-insights-conversion="purchase" data-insights-items="li"></form>`,
      /revenue is left out/,
    ],
    ['items-match-nothing', `<button id="x" data-insights-conversion="" data-insights-items=".gone">Go</button>`, /".gone" matches no object/],
    ['trigger-without-objects', `<button id="x" data-insights-conversion="">Go</button>`, /no object inside/],
    [
      'unknown-conversion-kind',
      `<div data-insights-index="p" data-insights-object-id="a"><button id="x" data-insights-conversion="buy">Go</button></div>`,
      /"buy" is not/,
    ],
    [
      'unknown-on',
      `<div data-insights-index="p" data-insights-object-id="a"><button id="x" data-insights-conversion="" data-insights-on="ready">Go</button></div>`,
      /"ready" is not "load"/,
    ],
    [
      'click-rejected',
      `<ol data-insights-index="p"><li id="x" data-insights-object-id="a" data-insights-event-name="Clické"></li></ol>`,
      /eventName/,
    ],
    ['filter-rejected', `<a id="x" data-insights-index="p" data-insights-filter="brand">Brand</a>`, /attribute:value/],
    [
      'conversion-rejected',
      `<div data-insights-index="p" data-insights-object-id="a"><button id="x" data-insights-conversion="" data-insights-event-name="">Go</button></div>`,
      /eventName/,
    ],
  ];

  it('has a case below for every rule', () => {
    expect(cases.map(([rule]) => rule).sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(cases)('%s names the element', (rule, markup, message) => {
    document.body.innerHTML = markup;
    expect(problemsOf()).toContainEqual({ rule, id: 'x', message: expect.stringMatching(message) });
  });

  it('suggests the closest valid name only when it is close', () => {
    expect(closestName('data-insights-hitsperpage')).toBe('data-insights-hits-per-page');
    expect(closestName('data-insight-query-id')).toBe('data-insights-query-id');
    expect(closestName('data-insights-colour-scheme')).toBeUndefined();
  });

  it('finds markup inside open shadow roots, in document order', () => {
    document.body.innerHTML = `<p id="first" data-insights-object-id="a"></p><div id="host"></div>`;
    const shadow = ($('#host') as HTMLElement).attachShadow({ mode: 'open' });
    shadow.innerHTML = `<p id="inner" data-insights-objectid="b"></p>`;
    expect(auditMarkup(document, contextWith()).problems.map(({ rule, element }) => [rule, element.id])).toEqual([
      ['object-without-index', 'first'],
      ['unknown-attribute', 'inner'],
    ]);
  });
});

describe('what the audit reads of the running QueryTrail', () => {
  afterEach(() => {
    clearCookies();
    localStorage.clear();
    document.head.innerHTML = '';
    delete window.querytrailConfig;
  });

  it('reads the options as the script-tag build does, the tag over window.querytrailConfig', () => {
    window.querytrailConfig = { index: 'from-config', currency: 'USD' };
    document.head.innerHTML = `<script type="text/plain" src="/js/querytrail.min.js" data-app-id="APP" data-api-key="key" data-index="products"></script>`;
    expect(readPageOptions()).toEqual({ options: expect.objectContaining({ appId: 'APP', index: 'products', currency: 'USD' }) });
  });

  it('says so where the page has no options to read (the ESM build), and shows the defaults', () => {
    const { options, problem } = readPageOptions();
    expect(problem).toMatch(/^options not readable from the page \(appId is missing.*\): defaults shown$/);
    expect(options).toMatchObject({ queryIdParam: 'queryID', clickEventName: 'Hit Clicked' });
  });

  it('tells where the user token came from, as QueryTrail chose it at start', () => {
    const { options } = contextWith();
    expect(tokenSourceOf('anonymous-mine', { ...options, userToken: 'anonymous-mine' }, NOW)).toBe('option');
    expect(tokenSourceOf('anonymous-new', options, NOW)).toBe('generated');
    keepVisitToken('anonymous-visit', NOW);
    expect(tokenSourceOf('anonymous-visit', options, NOW)).toBe('visit');
    document.cookie = '_ALGOLIA=anonymous-cookie;path=/';
    expect(tokenSourceOf('anonymous-cookie', options, NOW)).toBe('cookie');
    // A token none of them holds was set later.
    expect(tokenSourceOf('anonymous-later', options, NOW)).toBe('setUserToken');
  });
});
