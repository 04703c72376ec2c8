/** Deletes every cookie of the test page, so that no user token carries over to the next test. */
export function clearCookies(): void {
  // An expiry in the past, not max-age=0: happy-dom keeps a max-age=0 cookie until its clock moves on.
  for (const cookie of document.cookie.split(';')) document.cookie = `${cookie.split('=')[0]?.trim()}=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/`;
}
