import { callAfter } from '../lib/call-after';

/** What tells one page of a single-page app from another: a hash change is the same page. */
const pageOf = (url: Location) => url.pathname + url.search;

/**
 * Calls `onNewPage` when a single-page app moves to a new page: a History API navigation
 * (`pushState`, `replaceState`, back and forward) to a URL whose path or query string changed
 * (docs/behaviour.md, Dynamic pages). `onNewPage` runs inside the page's own `pushState` call: it
 * must be quick and must not throw. Returns what stops it.
 */
export function followRoutes(onNewPage: () => void): () => void {
  let page = pageOf(location);
  const check = () => {
    const next = pageOf(location);
    if (next === page) return;
    page = next;
    onNewPage();
  };
  const undo = [callAfter(history, 'pushState', check), callAfter(history, 'replaceState', check)];
  window.addEventListener('popstate', check, true);
  return () => {
    for (const undoOne of undo) undoOne();
    window.removeEventListener('popstate', check, true);
  };
}
