/**
 * What a page could not commit to IndexedDB before it went away, passed to the tab's next page
 * through sessionStorage, as JSON under `key`: IndexedDB aborts the transactions of a page that
 * is unloaded, while sessionStorage writes at once. Neither function throws: where sessionStorage
 * is blocked or full, the hand-off is lost, and nothing else.
 */

/** Replaces what this page handed off under `key` by `entries`; with none, removes it. False where that failed. */
export function writeHandOff(key: string, entries: unknown[]): boolean {
  try {
    sessionStorage.removeItem(key);
    if (entries.length) sessionStorage.setItem(key, JSON.stringify(entries));
    return true;
  } catch {
    // Session storage full or blocked: these entries stay with this page.
    return false;
  }
}

/** Gives `takeOver` what the tab's previous page handed off under `key`, if anything, and removes it. */
export function takeHandOff<T>(key: string, takeOver: (entries: T[]) => void): void {
  try {
    const entries: T[] = JSON.parse(sessionStorage.getItem(key) ?? '[]');
    sessionStorage.removeItem(key);
    if (entries.length) takeOver(entries);
  } catch {
    // No session storage (or a malformed entry): the handed-off entries are lost, nothing else.
  }
}
