import { z } from './zod';

// Every field QueryTrail validates is a custom check carrying its own message, so that each
// message names the rule that was broken. Shapes and lists of fields are custom checks too:
// zod's object, array and optional kinds would add 2 KB gzipped, a fifth of the script's
// budget. zod runs every check and carries each problem with its path.

type Schema<T = unknown> = z.ZodMiniType<T>;

export const rule = <T>(test: (input: unknown) => boolean, message: string) => z.custom<T>(test, message);

export const text = (pattern: RegExp, message: string) =>
  rule<string>((input) => typeof input === 'string' && pattern.test(input), message);

export const whole = (message: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  rule<number>((input) => Number.isSafeInteger(input) && (input as number) >= min && (input as number) <= max, message);

export const oneOf = <L extends string>(literals: readonly L[], message: string) =>
  rule<L>((input) => literals.includes(input as L), message);

export const isRecord = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

/** A field that may be left out (or be `undefined`). */
export interface Optional<T> {
  optional: Schema<T>;
}
export const optional = <T>(schema: Schema<T>): Optional<T> => ({ optional: schema });

type Fields = Record<string, Schema | Optional<unknown>>;
type OptionalKeys<F> = { [K in keyof F]: F[K] extends Optional<unknown> ? K : never }[keyof F];
type Output<F> = F extends Optional<infer T> ? T : F extends Schema<infer T> ? T : never;
export type ShapeOf<F extends Fields> = { [K in Exclude<keyof F, OptionalKeys<F>>]: Output<F[K]> } & {
  [K in OptionalKeys<F>]?: Output<F[K]>;
};

/** What `schema` finds wrong with `input`, placed under `path`. */
function problemsOf(schema: Schema, input: unknown, path: PropertyKey[]) {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map(({ message, path: inner }) => ({ code: 'custom' as const, message, input, path: [...path, ...inner] }));
}

/** An object with these fields and no other (the API's event variants are told apart by their keys). */
export const shape = <F extends Fields>(fields: F) =>
  z.custom<ShapeOf<F>>(isRecord, 'must be an object').check(
    z.check((payload) => {
      const input = payload.value as Record<string, unknown>;
      for (const [key, field] of Object.entries(fields)) {
        const value = input[key];
        if ('optional' in field && value === undefined) continue;
        payload.issues.push(...problemsOf('optional' in field ? field.optional : field, value, [key]));
      }
      const unknown = Object.keys(input).filter((key) => !(key in fields));
      if (unknown.length) payload.issues.push({ code: 'custom', message: `${unknown.join(', ')}: no such field`, input });
    }),
  );

/** 1 to 20 items, each passing `item`: the API's limit on objectIDs, filters and objectData. */
export const list = <T>(item: Schema<T>) =>
  z.custom<T[]>((input) => Array.isArray(input) && input.length > 0 && input.length <= 20, 'must hold 1 to 20 items').check(
    z.check((payload) => {
      (payload.value as unknown[]).forEach((entry, at) => payload.issues.push(...problemsOf(item, entry, [at])));
    }),
  );

/** The first broken rule of a failed parse, as `field: message`. */
export function firstProblem(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message}`;
}
