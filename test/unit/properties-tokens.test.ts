// @vitest-environment node
// Property-based tests: user tokens set at runtime, judged by the API's own rule.
// They run in node with a page of their own (test/support/happy-dom.ts) because the official validator needs a file: URL.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { init } from '../../src/trail';
import { NUM_RUNS, PROPERTY_TIMEOUT_MS, token, validOptionValues } from '../support/arbitraries';
import { clearCookies } from '../support/cookies';
import { useHappyDom } from '../support/happy-dom';
import { apiAcceptsToken } from '../support/official';

useHappyDom();

describe('property: user tokens', () => {
  it(
    'setUserToken adopts exactly the tokens the API accepts, keeps the previous one otherwise, and stamps events with it',
    async () => {
      await fc.assert(
        fc.asyncProperty(validOptionValues, fc.array(token, { minLength: 1, maxLength: 8 }), async (options, tokens) => {
          for (const quiet of ['error', 'warn', 'log'] as const) vi.spyOn(console, quiet).mockImplementation(() => {});
          vi.stubGlobal(
            'fetch',
            vi.fn(async () => new Response(null, { status: 200 })),
          );
          const trail = init({ ...options, optOut: false });
          const stamped: unknown[] = [];
          const onEvent = (event: Event) => stamped.push((event as CustomEvent).detail.userToken);
          document.addEventListener('querytrail:event', onEvent);
          try {
            let previous = trail.getUserToken();
            expect(apiAcceptsToken(previous)).toBe(true);
            for (const candidate of tokens) {
              trail.setUserToken(candidate);
              const expected = apiAcceptsToken(candidate) ? candidate : previous;
              expect(trail.getUserToken()).toBe(expected);
              trail.track({ eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'] });
              expect(stamped.at(-1)).toBe(expected);
              previous = trail.getUserToken();
            }
          } finally {
            trail.destroy();
            document.removeEventListener('querytrail:event', onEvent);
            clearCookies();
            vi.restoreAllMocks();
            vi.unstubAllGlobals();
          }
        }),
        { numRuns: NUM_RUNS },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
