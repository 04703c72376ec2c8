// @vitest-environment node
// Property-based tests: random markup, options and interactions on a page running QueryTrail.
// They run in node with a page of their own (test/support/happy-dom.ts) because the official validator needs a file: URL.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { init, type QueryTrail } from '../../src/trail';
import { anyOptions, DAY_MS, NUM_RUNS, PROPERTY_TIMEOUT_MS, validOptions, type Markup } from '../support/arbitraries';
import { useHappyDom } from '../support/happy-dom';
import { officialProblems } from '../support/official';
import { play, scenario } from '../support/scenarios';

useHappyDom();

describe('property: nothing ever throws into the page', () => {
  it(
    'init, the runtime API and any interaction with any markup throw nothing; console.error only for refused values',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenario(anyOptions), async (page) => {
          const outcome = await play(page);
          expect(outcome.thrown).toEqual([]);
          expect(outcome.pageErrors).toEqual([]);
          // One console.error for invalid options, and the instance stays inert.
          expect(outcome.errorsFromInit).toBe(outcome.running ? 0 : 1);
          if (page.options.verdict !== 'either') expect(outcome.running).toBe(page.options.verdict === 'valid');
          expect(outcome.errorsAfterInit).toBeGreaterThanOrEqual(outcome.refusedCalls);
          expect(outcome.errorsAfterInit).toBeLessThanOrEqual(outcome.refusedCalls + (outcome.unauthorized ? 1 : 0));
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('property: every event QueryTrail sends validates against the official OpenAPI description', () => {
  it(
    'every announced event and every event in a request body',
    async () => {
      const seen = { announced: 0, sent: 0 };
      await fc.assert(
        fc.asyncProperty(scenario(validOptions), async (page) => {
          const { announced, sent } = await play(page);
          seen.announced += announced.length;
          seen.sent += sent.length;
          expect(officialProblems(announced)).toEqual([]);
          expect(officialProblems(sent)).toEqual([]);
        }),
        { numRuns: NUM_RUNS },
      );
      // The property is only worth something when the pages send events.
      expect(seen.announced).toBeGreaterThan(NUM_RUNS / 2);
      expect(seen.sent).toBeGreaterThan(NUM_RUNS / 2);
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('regressions: shrunk counterexamples of the properties', () => {
  let trail: QueryTrail | undefined;
  beforeEach(() => {
    for (const quiet of ['error', 'warn', 'log'] as const) vi.spyOn(console, quiet).mockImplementation(() => {});
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(null, { status: 200 })),
    );
  });
  afterEach(() => {
    trail?.destroy();
    trail = undefined;
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('track() refuses a hand-built event older than the API accepts', () => {
    trail = init({ appId: 'LATENCY', apiKey: 'search-only-key' });
    const event = {
      eventType: 'view' as const,
      eventName: 'Hits Viewed',
      index: 'products',
      objectIDs: ['sku-1'],
      timestamp: Date.now() - 31 * DAY_MS,
    };
    expect(trail.track(event)).toBe(false);
  });

  it('setConsent and the token setters throw nothing for a value JSON.stringify cannot write (a BigInt)', () => {
    trail = init({ appId: 'LATENCY', apiKey: 'search-only-key' });
    expect(() => trail?.setConsent([[{ '': 0n }]] as never)).not.toThrow();
    expect(() => trail?.setUserToken({ '': 0n } as never)).not.toThrow();
    expect(() => trail?.setAuthenticatedUserToken({ '': 0n } as never)).not.toThrow();
    expect(trail.getUserToken()).toMatch(/^anonymous-/);
  });

  it('retries a failing API with backoff, not in a loop, also with flushInterval 0', async () => {
    const object: Markup = { tag: 'li', type: 'text', attributes: [['data-insights-object-id', 'sku-1']], shadow: false, children: [] };
    const { sent } = await play({
      options: { input: { appId: 'LATENCY', apiKey: 'search-only-key', index: 'products', flushInterval: 0 }, verdict: 'valid' },
      page: [object],
      landingQueryID: undefined,
      answers: [500],
      beaconAccepted: true,
      // One click, then a second of waiting.
      actions: [
        { kind: 'click', target: 0 },
        { kind: 'scroll', ratio: 0 },
      ],
    });
    expect(sent.length).toBeLessThan(10);
  });
});
