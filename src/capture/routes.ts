type HistoryMethod = 'pushState' | 'replaceState';

/** What tells one page of a single-page app from another: a hash change is the same page. */
const pageOf = (url: Location) => url.pathname + url.search;

/**
 * Calls `after` after each call of `history[name]`, which keeps working exactly as before: same
 * `this`, arguments, return value and exceptions. Returns what undoes it: the method the page had
 * is put back, unless another script wrapped ours since, whose wrapper would be lost; ours then
 * stays as a plain pass-through.
 */
function callAfter(name: HistoryMethod, after: () => void): () => void {
  const own = Object.getOwnPropertyDescriptor(history, name);
  const original = history[name];
  let active = true;
  const wrapper = function (this: History, ...args: Parameters<History[HistoryMethod]>) {
    const result = original.apply(this, args);
    if (active) after();
    return result;
  };
  try {
    history[name] = wrapper;
  } catch {
    // A page that froze its history: QueryTrail follows popstate alone there.
  }
  return () => {
    active = false;
    try {
      if (history[name] !== wrapper) return;
      // Without an own property, the method came from History.prototype, as it does again once ours is deleted.
      if (own) Object.defineProperty(history, name, own);
      else Reflect.deleteProperty(history, name);
    } catch {
      // Left as a pass-through.
    }
  };
}

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
  const undo = [callAfter('pushState', check), callAfter('replaceState', check)];
  window.addEventListener('popstate', check, true);
  return () => {
    for (const undoOne of undo) undoOne();
    window.removeEventListener('popstate', check, true);
  };
}
