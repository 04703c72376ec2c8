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
 * request got no answer. Keepalive requests and beacons share a budget of 64 KB in flight per
 * page, and the browser refuses one past it exactly as a network error fails (sender.ts keeps to it).
 */
export async function post(url: string, body: string, keepalive = false): Promise<Response | undefined> {
  try {
    const response = await fetch(url, { method: 'POST', body, keepalive, credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS) });
    // Read to its end: until then the browser counts a keepalive request in its budget, and refuses
    // the next. The answer stands even if its body breaks off.
    await response.text().catch(() => {});
    return response;
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
