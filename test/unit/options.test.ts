import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageOptions, parseOptions } from '../../src/options';
import { init } from '../../src/trail';
import { credentials } from '../support/options';

function scriptWith(attributes: Record<string, string>): HTMLScriptElement {
  const script = document.createElement('script');
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
  return script;
}

afterEach(() => vi.restoreAllMocks());

describe('options', () => {
  it('fills in the documented defaults (docs/behaviour.md, Options)', () => {
    const result = parseOptions(credentials);
    expect(result).toEqual({
      ok: true,
      options: {
        ...credentials,
        endpoint: 'https://insights.algolia.io',
        useCookie: false,
        consent: 'granted',
        optOut: false,
        queryIdParam: 'queryID',
        queryIdTtl: 604_800,
        views: true,
        flushInterval: 5000,
        debug: false,
        clickEventName: 'Hit Clicked',
        viewEventName: 'Hits Viewed',
        conversionEventName: 'Converted',
        addToCartEventName: 'Added To Cart',
        purchaseEventName: 'Purchased',
        filterEventName: 'Filter Clicked',
      },
    });
  });

  it('sends to the region, and an endpoint wins over the region', () => {
    const regional = parseOptions({ ...credentials, region: 'de' });
    expect(regional.ok && regional.options.endpoint).toBe('https://insights.de.algolia.io');
    const proxied = parseOptions({ ...credentials, region: 'de', endpoint: 'http://127.0.0.1:8080/' });
    expect(proxied.ok && proxied.options.endpoint).toBe('http://127.0.0.1:8080');
  });

  it('reads kebab-case script attributes, with HTML booleans and decimal numbers', () => {
    const script = scriptWith({
      'data-app-id': 'APP',
      'data-api-key': 'key',
      'data-query-id-ttl': '60',
      'data-flush-interval': '250',
      'data-debug': '',
      'data-use-cookie': 'true',
      'data-views': 'false',
      'data-click-event-name': 'Product Clicked',
      'data-unrelated': 'ignored',
    });
    const result = parseOptions(pageOptions(script, undefined));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.options).toMatchObject({
      queryIdTtl: 60,
      flushInterval: 250,
      debug: true,
      useCookie: true,
      views: false,
      clickEventName: 'Product Clicked',
    });
    expect(result.options).not.toHaveProperty('unrelated');
  });

  it('reads script-attribute numbers in decimal only, spaces around them allowed', () => {
    const spaced = parseOptions(pageOptions(scriptWith({ 'data-app-id': 'APP', 'data-api-key': 'key', 'data-flush-interval': ' 250 ' }), undefined));
    expect(spaced.ok && spaced.options.flushInterval).toBe(250);
    for (const notDecimal of ['1e3', '0x10']) {
      const result = parseOptions(
        pageOptions(scriptWith({ 'data-app-id': 'APP', 'data-api-key': 'key', 'data-query-id-ttl': notDecimal }), undefined),
      );
      expect(result).toEqual({ ok: false, problems: [`queryIdTtl must be a whole number of seconds above 0 (got "${notDecimal}")`] });
    }
  });

  it('lets script attributes win over window.querytrailConfig', () => {
    const script = scriptWith({ 'data-index': 'from_script' });
    const merged = pageOptions(script, { ...credentials, index: 'from_global', currency: 'EUR' });
    expect(merged).toEqual({ ...credentials, index: 'from_script', currency: 'EUR' });
  });

  it('takes an option set to null, as a tag manager sets an empty variable, as not set', () => {
    const result = parseOptions({ ...credentials, authenticatedUserToken: null, index: null, flushInterval: null });
    expect(result).toMatchObject({ ok: true, options: { flushInterval: 5000 } });
    expect(result.ok && result.options).not.toHaveProperty('authenticatedUserToken');
  });

  it.each([
    [{ ...credentials, queryIdTtl: 'soon' }, 'queryIdTtl', 'whole number of seconds'],
    [{ ...credentials, flushInterval: -1 }, 'flushInterval', 'milliseconds'],
    [{ ...credentials, region: 'eu' }, 'region', '"us" or "de"'],
    [{ ...credentials, consent: 'maybe' }, 'consent', '"granted", "pending" or "denied"'],
    [{ ...credentials, userToken: 'has space' }, 'userToken', '1 to 128 characters'],
    [{ ...credentials, currency: 'EURO' }, 'currency', 'ISO 4217'],
    [{ ...credentials, endpoint: 'insights.example.com' }, 'endpoint', 'origin'],
    [{ ...credentials, debug: 'yes' }, 'debug', 'true or false'],
    [{ ...credentials, clickEventName: 'x'.repeat(65) }, 'clickEventName', '1 to 64 visible ASCII'],
    [{ apiKey: 'key' }, 'appId', 'is missing'],
  ])('rejects %o naming %s', (input, name, reason) => {
    const result = parseOptions(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(name);
    expect(result.problems[0]).toContain(reason);
  });

  it('stays inert after one console.error when an option is invalid', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const events: Event[] = [];
    document.addEventListener('querytrail:event', (event) => events.push(event));
    document.body.innerHTML = '<div data-insights-index="products"><a data-insights-object-id="1">x</a></div>';

    const trail = init({ ...credentials, queryIdTtl: 'soon' });
    (document.querySelector('a') as HTMLElement).click();
    expect(trail.track({ eventType: 'view', eventName: 'Seen', index: 'products', objectIDs: ['1'] })).toBe(false);
    await trail.flush();

    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]?.[0])).toMatch(/queryIdTtl must be a whole number of seconds above 0 \(got "soon"\)/);
    expect(events).toHaveLength(0);
    expect(fetch).not.toHaveBeenCalled();
    vi.unstubAllGlobals();
  });
});
