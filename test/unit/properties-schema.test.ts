// @vitest-environment node
// Property-based tests: events, valid or not, judged by Algolia's official OpenAPI description.
// They run in node, because the official validator finds its schema through a file: URL, and need no page.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/events/schemas';
import { insightsEvent } from '../support/arbitraries';
import { official, officialProblems } from '../support/official';

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
  it('validateEvent refuses a timestamp the API refuses as older than 30 days', () => {
    const event = { eventName: ' ', eventType: 'instantsearch', userToken: 'a', timestamp: 0 };
    expect(official(event).errors).toEqual(['The timestamp is too far in the past']);
    expect(validateEvent(event).ok).toBe(false);
  });
});
