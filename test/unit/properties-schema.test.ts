// @vitest-environment node
// Property-based tests: events, valid or not, judged by Algolia's official OpenAPI description.
// They run in node with a page of their own (test/support/happy-dom.ts) because the official validator needs a file: URL.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateEvent } from '../../src/events/schemas';
import { init, type QueryTrail } from '../../src/trail';
import { DAY_MS, insightsEvent } from '../support/arbitraries';
import { useHappyDom } from '../support/happy-dom';
import { official, officialProblems } from '../support/official';

useHappyDom();

describe('property: validateEvent agrees with the official OpenAPI description', () => {
  it('validateEvent is sound: an event it accepts is accepted by the official validator', () => {
    let accepted = 0;
    fc.assert(
      fc.property(insightsEvent, (event) => {
        const verdict = validateEvent(event);
        if (!verdict.ok) return;
        accepted += 1;
        expect(officialProblems([verdict.event])).toEqual([]);
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });
});

describe('regressions: shrunk counterexamples of the properties', () => {
  let trail: QueryTrail | undefined;
  beforeEach(() => {
    for (const quiet of ['error', 'warn', 'log'] as const) vi.spyOn(console, quiet).mockImplementation(() => {});
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 200 })));
  });
  afterEach(() => {
    trail?.destroy();
    trail = undefined;
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('validateEvent refuses a timestamp the API refuses as older than 30 days', () => {
    const event = { eventName: ' ', eventType: 'instantsearch', userToken: 'a', timestamp: 0 };
    expect(official(event).errors).toEqual(['The timestamp is too far in the past']);
    expect(validateEvent(event).ok).toBe(false);
  });

  it('track() refuses a hand-built event older than the API accepts', () => {
    trail = init({ appId: 'LATENCY', apiKey: 'search-only-key' });
    const event = { eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'], timestamp: Date.now() - 31 * DAY_MS };
    expect(trail.track(event)).toBe(false);
  });
});
