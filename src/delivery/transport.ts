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

/** A string body goes as text/plain: no CORS preflight. Resolves with no response where the request got no answer. */
export async function post(url: string, body: string): Promise<Response | undefined> {
  try {
    return await fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    // Network error, offline or timed out: the caller retries.
    return undefined;
  }
}

/** For a page that is going: a beacon, or a keepalive fetch where the browser refuses the beacon (over its size budget) or has none. */
export function sendOnExit(url: string, body: string): void {
  try {
    if (navigator.sendBeacon(url, body)) return;
  } catch {
    // No beacon support: the fetch below carries the body instead.
  }
  void post(url, body);
}
