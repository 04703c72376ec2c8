import { describe, expectTypeOf, it } from 'vitest';
import { init, type QueryTrail, type QueryTrailOptions } from '../../src/index';

// Checked by the typecheck that `npm test` runs first (expectTypeOf does nothing at run time).
describe('the ESM API', () => {
  it('types init’s options, so that a missing or mistyped option fails to compile', () => {
    expectTypeOf(init).parameter(0).toEqualTypeOf<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string }>().toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string; views: 'no' }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf<{ appId: string; apiKey: string; consent: 'maybe' }>().not.toExtend<QueryTrailOptions>();
    expectTypeOf(init).returns.toEqualTypeOf<QueryTrail>();
  });
});
