import type { OptionsInput } from './options';
import { init as initFromPage, type QueryTrail } from './trail';

/**
 * Starts QueryTrail (docs/behaviour.md, Options and Runtime API). The page's own entry takes
 * whatever a script tag or a tag manager hands it; code that imports QueryTrail gets its options
 * checked by the compiler too. Invalid options still leave it inactive, with one `console.error`.
 */
export const init: (options: QueryTrailOptions) => QueryTrail = initFromPage;

export type { QueryTrail } from './trail';
export type { Consent } from './options';
export type { InsightsEvent } from './events/schemas';
export type QueryTrailOptions = OptionsInput;
export { validateEvent, variantOf, variants as eventSchemas } from './events/schemas';
export type { Validation, Variant } from './events/schemas';
export { VERSION } from './version';
