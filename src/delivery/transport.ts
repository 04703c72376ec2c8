import { VERSION } from '../version';

export function eventsUrl(endpoint: string, appId: string, apiKey: string): string {
  const query = new URLSearchParams({
    'X-Algolia-Application-Id': appId,
    'X-Algolia-API-Key': apiKey,
    'X-Algolia-Agent': `QueryTrail (${VERSION})`,
  });
  return `${endpoint}/1/events?${query}`;
}

/** Network failure reads as status 0. A string body goes as text/plain: no CORS preflight. */
export async function post(url: string, body: string): Promise<number> {
  try {
    const response = await fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' });
    return response.status;
  } catch {
    return 0;
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
