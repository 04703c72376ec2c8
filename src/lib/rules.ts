import { z } from './zod';

// Every field QueryTrail validates is a custom check carrying its own message: one zod
// schema kind keeps the bundle small, and each message names the rule that was broken.

export const rule = <T>(test: (input: unknown) => boolean, message: string) => z.custom<T>(test, message);

export const text = (pattern: RegExp, message: string) =>
  rule<string>((input) => typeof input === 'string' && pattern.test(input), message);

export const whole = (message: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  rule<number>((input) => Number.isSafeInteger(input) && (input as number) >= min && (input as number) <= max, message);

export const oneOf = <L extends string>(literals: readonly L[], message: string) =>
  rule<L>((input) => literals.includes(input as L), message);

/** The first broken rule of a failed parse, as `field: message`. */
export function firstProblem(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  if (issue?.code === 'unrecognized_keys') return `${where}${issue.keys.join(', ')} is not a field of this event`;
  return `${where}${issue?.message ?? 'invalid'}`;
}
