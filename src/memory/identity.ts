import { USER_TOKEN } from '../events/schemas';
import { readCookie } from '../lib/cookie';

/** The cookie search-insights keeps its anonymous token in; shared on purpose. */
export const TOKEN_COOKIE = '_ALGOLIA';
export const TOKEN_COOKIE_MAX_AGE = 15_552_000; // 6 months, as search-insights does

export const isValidToken = (token: unknown): token is string => typeof token === 'string' && USER_TOKEN.test(token);

type SearchInsights = (method: 'getUserToken', options: null, callback: (error: unknown, token: unknown) => void) => void;

/** The token of a search-insights (`window.aa`) already on the page, when it answers now. */
function searchInsightsToken(): string | undefined {
  let token: unknown;
  try {
    // A stub that only queues calls answers later or never: only a synchronous answer counts.
    // A `window.aa` that is no function throws, and counts as none.
    (window as { aa?: SearchInsights }).aa?.('getUserToken', null, (_error, value) => {
      token = value;
    });
  } catch {
    return undefined;
  }
  return isValidToken(token) ? token : undefined;
}

function uuidV4(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; plain-http pages still get a v4 UUID.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  // 8-4-4-4-12 hex digits.
  return hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}

export type TokenSource = 'option' | 'search-insights' | 'cookie' | 'generated';

/** SPEC §5: the option, then search-insights, then the `_ALGOLIA` cookie, then a new anonymous token. */
export function resolveUserToken(option: string | undefined): { token: string; source: TokenSource } {
  if (option !== undefined) return { token: option, source: 'option' };
  const fromPage = searchInsightsToken();
  if (fromPage) return { token: fromPage, source: 'search-insights' };
  const fromCookie = readCookie(TOKEN_COOKIE);
  if (isValidToken(fromCookie)) return { token: fromCookie, source: 'cookie' };
  return { token: `anonymous-${uuidV4()}`, source: 'generated' };
}
