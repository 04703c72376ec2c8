export { init } from './trail';
export type { QueryTrail, Consent, InsightsEvent } from './trail';
export type { OptionsInput as QueryTrailOptions } from './options';
export { validateEvent, variants as eventSchemas } from './events/schemas';
export type { Validation, Variant } from './events/schemas';
export { VERSION } from './version';
