import type { WhoAndWhen } from '../events/build';
import { isValidToken, USER_TOKEN_RULE } from '../events/schemas';
import { readCookie, removeCookie, writeCookie } from '../lib/cookie';
import type { Log } from '../lib/log';
import { quote } from '../lib/quote';
import { forgetVisitToken, keepVisitToken, readVisitToken } from '../storage/visit-token';

/** The cookie search-insights keeps its anonymous token in; shared on purpose. */
const TOKEN_COOKIE = '_ALGOLIA';
const TOKEN_COOKIE_MAX_AGE = 15_552_000; // 6 months, as search-insights does

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

export type TokenSource = 'option' | 'search-insights' | 'cookie' | 'visit' | 'generated';

/**
 * The option, then search-insights, then the `_ALGOLIA` cookie, then the token this visit
 * generated on an earlier page (`visitToken`), then a new anonymous token. Each source is read
 * only when those before it have no valid token: the first read of localStorage costs a page
 * milliseconds. A token found that breaks the API's pattern is passed over and `refuse`d, so
 * that the page learns why its events do not carry it.
 */
export function resolveUserToken(
  option: string | undefined,
  visitToken: () => string | undefined,
  refuse: (source: TokenSource, token: unknown) => void,
): { token: string; source: TokenSource } {
  if (option !== undefined) return { token: option, source: 'option' };
  for (const [source, read] of [
    ['search-insights', searchInsightsToken],
    ['cookie', () => readCookie(TOKEN_COOKIE)],
    ['visit', visitToken],
  ] as const) {
    const token = read();
    if (isValidToken(token)) return { token, source };
    if (token) refuse(source, token);
  }
  return { token: `anonymous-${uuidV4()}`, source: 'generated' };
}

export interface Identity {
  /** The tokens of whoever acts now, and `timestamp`: what every event carries besides its own fields. */
  whoAndWhen(timestamp: number): WhoAndWhen;
  getUserToken(): string;
  /** Refuses, with a clear error, a token that breaks the API's pattern: it is never sent. */
  setUserToken(token: unknown): void;
  setAuthenticatedUserToken(token: unknown): void;
  /**
   * Where storing is allowed, keeps an anonymous token: in the `_ALGOLIA` cookie with `useCookie`,
   * else a generated one for the visit, whose 30 minutes start again. Never on a click's path.
   */
  keep(): void;
  /** Removes what `keep` stored (opt-out). */
  forget(): void;
}

/** Who the events are about (docs/behaviour.md, Identity). */
export function createIdentity(
  options: { userToken?: string | undefined; authenticatedUserToken?: string | undefined; useCookie: boolean },
  mayStore: () => boolean,
  log: Log,
): Identity {
  // Where a token comes from (a method, search-insights, the cookie), and that it is not used.
  const refuse = (from: string, token: unknown) => log.error(`${from}: ${quote(token)} is not a valid user token (${USER_TOKEN_RULE}), not used`);
  // Found when first needed rather than at creation: consent given by an early call (docs/behaviour.md,
  // Early calls) decides whether the visit's token may be read, and none is generated in vain.
  let user: { token: string; source: TokenSource } | undefined;
  const current = () => {
    if (!user) {
      user = resolveUserToken(options.userToken, () => (mayStore() ? readVisitToken(Date.now()) : undefined), refuse);
      log.debug(`user token from ${user.source}: ${user.token}`);
    }
    return user;
  };
  let { authenticatedUserToken } = options;

  return {
    whoAndWhen: (timestamp) => ({ userToken: current().token, authenticatedUserToken, timestamp }),
    getUserToken: () => current().token,
    setUserToken(token) {
      if (isValidToken(token)) user = { token, source: 'option' };
      else refuse('setUserToken', token);
    },
    setAuthenticatedUserToken(token) {
      if (token === undefined || isValidToken(token)) authenticatedUserToken = token;
      else refuse('setAuthenticatedUserToken', token);
    },
    keep() {
      if (!mayStore()) return;
      const { token, source } = current();
      const generated = source === 'generated' || source === 'visit';
      if (options.useCookie) {
        if (generated || source === 'cookie') writeCookie(TOKEN_COOKIE, token, TOKEN_COOKIE_MAX_AGE);
      } else if (generated) keepVisitToken(token, Date.now());
    },
    forget() {
      if (options.useCookie) removeCookie(TOKEN_COOKIE);
      forgetVisitToken();
    },
  };
}
