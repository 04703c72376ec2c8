import { describe, expectTypeOf, it } from 'vitest';
import type { EventOf, Validation as RulesValidation, Variant as RuleVariant } from '../../src/events/schemas';
import { init, type EventsByVariant, type QueryTrail, type QueryTrailOptions, type Validation, type Variant } from '../../src/index';
import type { OptionsInput } from '../../src/options';

// Checked by the typecheck that `npm test` runs first (expectTypeOf does nothing at run time).

/** Whether A and B have the same keys and each is assignable to the other: what one accepts, the other does. */
type Same<A, B> = [keyof A, keyof B] extends [keyof B, keyof A] ? ([A, B] extends [B, A] ? true : false) : false;

describe('the ESM API', () => {
  it('types init’s options, so that a missing or mistyped option fails to compile', () => {
    expectTypeOf(init).parameter(0).toEqualTypeOf<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string }>().toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string; views: 'no' }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string; consent: 'maybe' }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string; region: 'eu' }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf(init).returns.toEqualTypeOf<QueryTrail>();
  });

  // The public types are written by hand (src/public-types.ts); these keep them equal to what the rules accept.
  it('has public types equal to the rules: options, each event variant, validation', () => {
    expectTypeOf<Same<QueryTrailOptions, OptionsInput>>().toEqualTypeOf<true>();
    expectTypeOf<Same<Variant, RuleVariant>>().toEqualTypeOf<true>();
    expectTypeOf<{ [V in RuleVariant]: Same<EventsByVariant[V], EventOf<V>> }>().toEqualTypeOf<{ [V in RuleVariant]: true }>();
    expectTypeOf<RulesValidation>().toExtend<Validation>();
  });
});
