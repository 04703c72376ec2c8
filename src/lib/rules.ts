import * as z from 'zod/mini';

// Every field QueryTrail validates is a zod core schema of QueryTrail's own kind, a rule: one
// test that carries its own message, so that each message names the rule that was broken.
// Shapes and lists of fields are rules too, run through the Standard Schema `validate` every zod
// schema has (and that the published event schemas offer their users): zod/mini's object, array,
// optional and custom kinds, and its schema wrapper (parse, parseAsync, clone, brand…), would add
// 2.7 KB gzipped, more than a quarter of the script's budget. zod runs the rules and carries each
// problem with its path.
// Of zod's schemas, only objects compile parsers with `new Function` (which a strict CSP would
// report), and none is built here; so zod's global `jitless` setting, which the page's own zod
// shares, is left alone: importing QueryTrail changes nothing outside it.

type Schema<T = unknown> = z.core.$ZodType<T>;
type Check = (payload: z.core.ParsePayload) => void;

/** Files a broken rule, under `path` when it is about a part of the value. */
const complain = (payload: z.core.ParsePayload, message: string, path?: PropertyKey[]) =>
  void payload.issues.push({ code: 'custom', message, input: payload.value, path });

// size: a zod kind of its own, built as zod builds its kinds, leaves out zod's checks (an unknown
// schema with one custom check did the same work), -50 bytes gzipped.
interface RuleDef extends z.core.$ZodTypeDef {
  test: (input: unknown) => boolean;
  message: string;
  more?: Check | undefined;
}
interface RuleSchema extends z.core.$ZodType {
  _zod: z.core.$ZodTypeInternals & { def: RuleDef };
}
const RuleSchema = z.core.$constructor<RuleSchema>('QueryTrailRule', (inst, def) => {
  z.core.$ZodType.init(inst, def);
  inst._zod.parse = (payload) => {
    if (def.test(payload.value)) def.more?.(payload);
    else complain(payload, def.message);
    return payload;
  };
});

/** A schema of `T`: what passes `test`, then (and only then) `more`. */
export const rule = <T>(test: (input: unknown) => boolean, message: string, more?: Check) =>
  new RuleSchema({ type: 'custom', test, message, more }) as unknown as Schema<T>;

/** A check of a whole value that passed its schema's test (fields that must agree, say). */
export const refinement =
  <T>(test: (value: T) => boolean, message: string): Check =>
  (payload) => {
    if (!test(payload.value as T)) complain(payload, message);
  };

/** A broken rule, under the path of the field it is about. */
type Problem = { message: string; path: PropertyKey[] };
type Checked<T> = { value: T; issues?: undefined } | { issues: Problem[] };

/**
 * What `schema` makes of `input`: its value, or its problems (each with a path, as zod gives them).
 * size: Standard Schema's `validate` comes with every zod schema; zod's `safeParse` would add its
 * error class and lazy error result, 491 bytes gzipped. Every check here is synchronous, so
 * `validate` answers at once, never with a promise.
 */
export const check = <S extends Schema>(schema: S, input: unknown) => schema['~standard'].validate(input) as Checked<z.core.output<S>>;

export const text = (pattern: RegExp, message: string) => rule<string>((input) => typeof input === 'string' && pattern.test(input), message);

export const integer = (message: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  rule<number>((input) => Number.isSafeInteger(input) && (input as number) >= min && (input as number) <= max, message);

export const oneOf = <L extends string>(literals: readonly L[], message: string) => rule<L>((input) => literals.includes(input as L), message);

export const isRecord = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input);

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

/** Checks `part` of a value, the field or item `at`, and files what it breaks under `at`. */
function checkPart(payload: z.core.ParsePayload, schema: Schema, part: unknown, at: PropertyKey) {
  for (const { message, path } of check(schema, part).issues ?? []) complain(payload, message, [at, ...path]);
}

/**
 * An object with these fields and no other (the API's event variants are told apart by their
 * keys); `refinements` check it once its fields pass.
 */
export const shape = <F extends Fields>(fields: F, ...refinements: Check[]) =>
  rule<ShapeOf<F>>(isRecord, 'must be an object', (payload) => {
    const input = payload.value as Record<string, unknown>;
    for (const [key, field] of Object.entries(fields)) {
      const value = input[key];
      if ('optional' in field && value === undefined) continue;
      checkPart(payload, 'optional' in field ? field.optional : field, value, key);
    }
    const unknown = Object.keys(input).filter((key) => !(key in fields));
    if (unknown.length) complain(payload, `${unknown.join(', ')}: no such field`);
    if (!payload.issues.length) for (const refine of refinements) refine(payload);
  });

/** 1 to `max` items, each passing `item`. */
export const list = <T>(item: Schema<T>, max: number) =>
  rule<T[]>(
    (input) => Array.isArray(input) && input.length > 0 && input.length <= max,
    `must hold 1 to ${max} items`,
    (payload) => {
      for (const [at, entry] of (payload.value as unknown[]).entries()) checkPart(payload, item, entry, at);
    },
  );

/** The first broken rule of a failed check, as `field: message`. */
export function firstProblem(problems: Problem[]): string {
  const issue = problems[0];
  return `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message}`;
}
