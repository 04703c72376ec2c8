import { isValidToken } from '../events/schemas';
import { readCookie } from '../lib/cookie';

/** The cookie search-insights keeps its anonymous token in; shared on purpose. */
export const TOKEN_COOKIE = '_ALGOLIA';
export const TOKEN_COOKIE_MAX_AGE = 15_552_000; // 6 months, as search-insights does

type SearchInsights = (method: 'getUserToken', options: null, callback: (error: unknown, token: unknown) => void) => void;

/** The token of a search-insights (`window.aa`) already on the page, when it answers now. */
function searchInsightsToken(): unknown {
  let token: unknown;
  try {
    // A stub that only queues calls answers later or never: only a synchronous answer counts.
    (window as { aa?: SearchInsights }).aa?.('getUserToken', null, (_error, value) => {
      token = value;
    });
    return token;
  } catch {
    // A `window.aa` that is no function throws, and counts as none.
    return undefined;
  }
}

/** A random version 4 UUID. Not `crypto.randomUUID`, which plain-http pages lack. */
function uuidV4(): string {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (digit) => {
    const random = (crypto.getRandomValues(new Uint8Array(1))[0] as number) & 15;
    // y is the variant digit: 8, 9, a or b.
    return (digit === 'x' ? random : (random & 3) | 8).toString(16);
  });
}

export type TokenSource = 'option' | 'search-insights' | 'cookie' | 'generated';

/**
 * SPEC §5: the option, then search-insights, then the `_ALGOLIA` cookie, then a new anonymous
 * token. A token found that breaks the API's pattern is passed over and `refuse`d, so that the
 * page learns why its events do not carry it.
 */
export function resolveUserToken(
  option: string | undefined,
  refuse: (source: TokenSource, token: unknown) => void,
): { token: string; source: TokenSource } {
  if (option !== undefined) return { token: option, source: 'option' };
  for (const [source, token] of [
    ['search-insights', searchInsightsToken()],
    ['cookie', readCookie(TOKEN_COOKIE)],
  ] as const) {
    if (isValidToken(token)) return { token, source };
    if (token) refuse(source, token);
  }
  return { token: `anonymous-${uuidV4()}`, source: 'generated' };
}
