import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelay } from '../../src/delivery/backoff';

describe('retry delays', () => {
  it('double from one second up to five minutes', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 9, 10, 30].map((failures) => retryDelay(failures, undefined, middle))).toEqual([
      1000, 2000, 4000, 8000, 256_000, 300_000, 300_000,
    ]);
  });

  it('spread by ±50% so that pages that failed together do not retry together', () => {
    expect(retryDelay(3, undefined, () => 0)).toBe(2000);
    expect(retryDelay(3, undefined, () => 0.999_999)).toBe(6000);
  });

  it('give way to the server’s Retry-After', () => {
    expect(retryDelay(7, 30_000, () => 0.9)).toBe(30_000);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it('reads seconds and HTTP dates, and ignores what it cannot read or what says at once', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    // Left to the backoff: at once would be no backoff at all.
    expect(parseRetryAfter('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('0', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
