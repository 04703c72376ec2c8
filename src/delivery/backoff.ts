const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;

/**
 * How long to wait before the `failures`-th retry (from 1): doubling from a second up to five
 * minutes, spread by ±50% so that many pages that failed together do not retry together.
 * A server's own `Retry-After` wins.
 */
export function retryDelay(failures: number, retryAfterMs: number | undefined, random = Math.random): number {
  return retryAfterMs ?? Math.round(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (failures - 1)) * (0.5 + random()));
}

/** `Retry-After` in seconds or as an HTTP date, in ms from `now`. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  // NaN where the header is neither. 0 or a date already past (a page's clock ahead of the
  // server's) is left to the backoff: retries would come at once, again and again.
  return ms > 0 ? ms : undefined;
}
