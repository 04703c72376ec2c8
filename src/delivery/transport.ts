import { VERSION } from '../version';

export function eventsUrl(endpoint: string, appId: string, apiKey: string): string {
  const query = new URLSearchParams({
    'X-Algolia-Application-Id': appId,
    'X-Algolia-API-Key': apiKey,
    'X-Algolia-Agent': `QueryTrail (${VERSION})`,
  });
  return `${endpoint}/1/events?${query}`;
}

export interface Answer {
  /** 0 when the request got no answer (network error, offline). */
  status: number;
  /** The `Retry-After` header, where the server exposes it to the page. */
  retryAfter?: string | null;
}

/** A request unanswered this long counts as failed, and is retried. */
const TIMEOUT_MS = 15_000;

/** A string body goes as text/plain: no CORS preflight. */
export async function post(url: string, body: string): Promise<Answer> {
  try {
    const response = await fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS) });
    return { status: response.status, retryAfter: response.headers?.get('Retry-After') };
  } catch {
    return { status: 0 };
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
