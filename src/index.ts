import { validateEvent as validate, variantOf as variantFromFields, variants } from './events/schemas';
import type { EventSchema, EventsByVariant, QueryTrailOptions, Validation, Variant } from './public-types';
import { init as initFromPage, type QueryTrail } from './trail';

// Each export is typed with the hand-written public types, so that the published .d.ts needs
// nothing from zod; the assignments below check that the code behind them fits.

/**
 * Starts QueryTrail (docs/behaviour.md, Options and Runtime API), or returns the instance already
 * running on the page. The page's own entry takes whatever a script tag or a tag manager hands it;
 * code that imports QueryTrail gets its options checked by the compiler too. Invalid options
 * still leave it inactive, with one `console.error`. Its `audit()` loads `querytrail-audit.js` from
 * beside this module (`import.meta.url`): where a bundler moves the module, the audit file has to be
 * served beside the bundle, or loaded with a script tag of its own.
 */
export const init = (options: QueryTrailOptions): QueryTrail => initFromPage(options, undefined, import.meta.url);
/** Checks an event against the Insights API's rules at `now`; `rule` names the first one it breaks. */
export const validateEvent: (input: unknown, now?: number) => Validation = validate;
/** The variant an event claims to be, or why it is none. */
export const variantOf: (event: Record<string, unknown>) => Variant | string = variantFromFields;
/** The rules of each variant. */
export const eventSchemas: { readonly [V in Variant]: EventSchema<EventsByVariant[V]> } = variants;

export type { QueryTrail } from './trail';
export type {
  Consent,
  EventSchema,
  EventsByVariant,
  InsightsEvent,
  QueryTrailOptions,
  QueryTrailStub,
  Rejection,
  TrackedEvent,
  Validation,
  Variant,
} from './public-types';
export { VERSION } from './version';
