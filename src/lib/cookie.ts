import { decodeOnce } from './uri';

// Where the page may not touch cookies (a frame sandboxed without allow-same-origin), reading or
// writing `document.cookie` throws a SecurityError: there is no cookie then, and none is kept.

export function readCookie(name: string): string | undefined {
  try {
    // `document.cookie` is `a=1; b=2`: what follows `; name=` up to the next `;` is the first cookie of that name.
    const value = `; ${document.cookie}`.split(`; ${name}=`)[1]?.split(';')[0];
    // Not encoded by QueryTrail, the value may hold a `%` alone: it is then refused as a token.
    return value && decodeOnce(value);
  } catch {
    // No cookie can be read: the token comes from elsewhere.
  }
  return undefined;
}

export function writeCookie(name: string, value: string, maxAgeSeconds: number): void {
  const secure = location.protocol === 'https:' ? ';Secure' : '';
  try {
    document.cookie = `${name}=${encodeURIComponent(value)};path=/;max-age=${maxAgeSeconds};SameSite=Lax${secure}`;
  } catch {
    // No cookie can be kept: the token lasts as long as the page.
  }
}

export function removeCookie(name: string): void {
  // Expired a second ago rather than now: a cookie jar that compares its expiry with the clock's
  // millisecond (happy-dom's does) still lists one that expires "now" within the same millisecond.
  writeCookie(name, '', -1);
}
