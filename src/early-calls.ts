import { quote } from './lib/quote';
import type { QueryTrail } from './trail';

type Method = (...args: unknown[]) => unknown;

/**
 * `querytrail('method', ...args)` (docs/behaviour.md, Early calls): calls the instance's method
 * and returns what it returns; a name that is no method gets a `console.error` naming it. The
 * methods themselves never throw, whatever they are given. Own methods only:
 * `querytrail('toString')` is a mistake, not a call of Object's method.
 */
export const callerOf =
  (instance: QueryTrail) =>
  (method: unknown, ...args: unknown[]): unknown =>
    Object.hasOwn(instance, method as PropertyKey)
      ? (instance[method as keyof QueryTrail] as Method)(...args)
      : console.error(`QueryTrail: unknown method ${quote(method)}`);

/**
 * Replays, in order, the calls the stub queued before the script loaded: each is an `arguments`
 * object, the method's name and then its arguments. Whatever else a page put in the queue counts
 * as a call of no method.
 */
export const replayEarlyCalls = (instance: QueryTrail, queued: unknown): unknown[] =>
  Array.from((queued ?? []) as ArrayLike<ArrayLike<unknown>>, (args) => callerOf(instance)(...(Array.from(args ?? []) as [unknown])));
