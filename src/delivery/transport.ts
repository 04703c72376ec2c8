import { VERSION } from '../version';

export function eventsUrl(endpoint: string, appId: string, apiKey: string): string {
  const query = new URLSearchParams({
    'X-Algolia-Application-Id': appId,
    'X-Algolia-API-Key': apiKey,
    'X-Algolia-Agent': `QueryTrail (${VERSION})`,
  });
  return `${endpoint}/1/events?${query}`;
}

/** A request unanswered this long counts as failed, and is retried. */
const TIMEOUT_MS = 15_000;

/**
 * A string body goes as text/plain: no CORS preflight. Resolves with no response where the
 * request got no answer. `keepalive` only for a page that is going: keepalive requests share a
 * 64 KB budget per page, and the browser refuses one past it exactly as a network error fails.
 */
export async function post(url: string, body: string, keepalive = false): Promise<Response | undefined> {
  try {
    return await fetch(url, { method: 'POST', body, keepalive, credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    // Network error, offline or timed out: the caller retries.
    return undefined;
  }
}

/**
 * For a page that is going: a beacon, or a keepalive fetch where the browser has no beacon.
 * False where the browser refuses the beacon: its budget (64 KB in flight, shared with keepalive
 * fetches) is spent, so a keepalive fetch would be refused too.
 */
export function sendOnExit(url: string, body: string): boolean {
  try {
    return navigator.sendBeacon(url, body);
  } catch {
    // No beacon support: a keepalive fetch carries the body instead.
    void post(url, body, true);
    return true;
  }
}
