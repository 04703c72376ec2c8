/**
 * Calls `after` after each call of `target[name]`, which keeps working exactly as before: same
 * `this`, arguments, return value and exceptions. Returns what undoes it: the method the page had
 * is put back, unless another script wrapped ours since, whose wrapper would be lost; ours then
 * stays as a plain pass-through.
 */
export function callAfter<T extends object>(target: T, name: keyof T, after: () => void): () => void {
  const own = Object.getOwnPropertyDescriptor(target, name);
  const original = target[name] as (...args: unknown[]) => unknown;
  let active = true;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args);
    if (active) after();
    return result;
  };
  try {
    target[name] = wrapper as T[keyof T];
  } catch {
    // A frozen object (a page that froze its history): the caller follows what else it can.
  }
  return () => {
    active = false;
    try {
      if (target[name] !== wrapper) return;
      // Without an own property, the method came from the prototype, as it does again once ours is deleted.
      if (own) Object.defineProperty(target, name, own);
      else Reflect.deleteProperty(target, name);
    } catch {
      // Left as a pass-through.
    }
  };
}
