import { callAfter } from '../lib/call-after';

/**
 * How often the data layer is looked at again, for entries its `push` did not tell of: the
 * array replaced by another one, or a `push` replaced by one that does not call ours.
 */
const RECHECK_MS = 1000;

/**
 * Calls `read` once for each object in the global array `window[name]`: those there at start and
 * those pushed later, as they are pushed (docs/behaviour.md, Data layer). Its `push` is wrapped
 * so that the array works for the page and its tag manager exactly as before; every second, the
 * array found under `name` is read again, and hooked again where it is a new one. `read` must not
 * throw. Returns what stops it.
 */
export function followDataLayer(name: string, read: (entry: object) => void): () => void {
  // Entries already read: an entry seen at a push and again at a check is read once.
  const seen = new WeakSet<object>();
  let hooked: unknown;
  let unhook = () => {};
  const check = () => {
    const layer = (window as unknown as Record<string, unknown>)[name];
    if (!Array.isArray(layer)) return;
    if (layer !== hooked) {
      unhook();
      hooked = layer;
      unhook = callAfter(layer, 'push', check);
    }
    for (const entry of layer) {
      // Objects only: a WeakSet holds no other value, and an entry of GA4 is an object.
      if (Object(entry) === entry && !seen.has(entry)) {
        seen.add(entry);
        read(entry);
      }
    }
  };
  check();
  const timer = setInterval(check, RECHECK_MS);
  return () => {
    clearInterval(timer);
    unhook();
  };
}
