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
  retryAfter: string | null;
}

/** A request unanswered this long counts as failed, and is retried. */
export const TIMEOUT_MS = 15_000;

/** A string body goes as text/plain: no CORS preflight. */
export async function post(url: string, body: string): Promise<Answer> {
  try {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    const response = await fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', signal });
    return { status: response.status, retryAfter: response.headers?.get('Retry-After') ?? null };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

/** False when the browser refuses the beacon (over its size budget, or no beacon support). */
export function beacon(url: string, body: string): boolean {
  try {
    return navigator.sendBeacon(url, body);
  } catch {
    return false;
  }
}
