/**
 * The generated user token of the current visit, kept without a cookie in localStorage, which
 * every tab of the site shares (docs/behaviour.md, Identity). Stored as `<expiry ms> <token>`:
 * a token never holds a space. None of these functions throws: where localStorage is blocked,
 * there is no visit token, and each page has its own.
 */
const KEY = 'querytrail-user-token';
/** A visit ends after 30 minutes without a page opened, hidden or left, as analytics tools count visits. */
export const VISIT_MS = 30 * 60 * 1000;

/** The token this visit already has, unless its visit ended before `now`. */
export function readVisitToken(now: number): string | undefined {
  try {
    const [expiry, token] = (localStorage.getItem(KEY) ?? '').split(' ');
    if (Number(expiry) > now) return token;
  } catch {
    // No localStorage: no visit token.
  }
  return undefined;
}

/** Keeps `token` as the visit's for another 30 minutes from `now`. */
export function keepVisitToken(token: string, now: number): void {
  try {
    localStorage.setItem(KEY, `${now + VISIT_MS} ${token}`);
  } catch {
    // Blocked or full: the token lasts as long as the page.
  }
}

export function forgetVisitToken(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing could be stored either.
  }
}
