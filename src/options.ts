import { CURRENCY, EVENT_NAME, NOT_EMPTY, TOKEN } from './events/schemas';
import { check, isRecord, oneOf, optional, rule, shape, text, integer, type ShapeOf } from './lib/rules';
import { quote } from './lib/quote';
import type { Consent } from './public-types';

export type { Consent };
export const CONSENT = oneOf<Consent>(['granted', 'pending', 'denied'], 'must be "granted", "pending" or "denied"');

const flag = rule<boolean>((input) => typeof input === 'boolean', 'must be true or false');
const key = (what: string) => text(/^[\w-]+$/, `must be ${what} (letters, digits, _ and -)`);

const fields = {
  appId: key('an Algolia application ID'),
  apiKey: key('a search-only API key'),
  region: optional(oneOf<'us' | 'de'>(['us', 'de'], 'must be "us" or "de"')),
  endpoint: optional(text(/^https?:\/\/[^/?#\s]+\/?$/, 'must be an origin such as https://insights.algolia.io')),
  userToken: optional(TOKEN),
  authenticatedUserToken: optional(TOKEN),
  useCookie: flag,
  consent: CONSENT,
  optOut: flag,
  index: optional(NOT_EMPTY),
  currency: optional(CURRENCY),
  queryIdParam: NOT_EMPTY,
  queryIdTtl: integer('must be a whole number of seconds above 0', 1),
  views: flag,
  flushInterval: integer('must be a whole number of milliseconds, 0 or more', 0),
  debug: flag,
  clickEventName: EVENT_NAME,
  viewEventName: EVENT_NAME,
  conversionEventName: EVENT_NAME,
  addToCartEventName: EVENT_NAME,
  purchaseEventName: EVENT_NAME,
  filterEventName: EVENT_NAME,
  dataLayer: optional(NOT_EMPTY),
};
const schema = shape(fields);

/** The defaults (docs/behaviour.md, Options); what a user leaves out is taken from here before validation. */
const DEFAULTS = {
  useCookie: false,
  consent: 'granted',
  optOut: false,
  queryIdParam: 'queryID',
  queryIdTtl: 604_800,
  views: true,
  flushInterval: 5000,
  debug: false,
  clickEventName: 'Hit Clicked',
  viewEventName: 'Hits Viewed',
  conversionEventName: 'Converted',
  addToCartEventName: 'Added To Cart',
  purchaseEventName: 'Purchased',
  filterEventName: 'Filter Clicked',
} as const;

export type ParsedOptions = ShapeOf<typeof fields>;
export type OptionsInput = Partial<ParsedOptions> & Pick<ParsedOptions, 'appId' | 'apiKey'>;
export type Options = Omit<ParsedOptions, 'endpoint' | 'region'> & { endpoint: string };
type OptionName = keyof ParsedOptions;

const OPTION_NAMES = Object.keys(fields) as OptionName[];

/**
 * Script attributes and tag-manager variables are strings: booleans follow the HTML
 * convention (present, "" or "true" is true), numbers are decimal. Anything else is
 * left as it is for the schema to reject by name.
 */
function coerceOption(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  // Every boolean and number option has a default, whose type says how to read a string.
  const type = typeof DEFAULTS[name as keyof typeof DEFAULTS];
  if (type === 'boolean' && ['', 'true', 'false'].includes(trimmed)) return trimmed !== 'false';
  if (type === 'number' && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return value;
}

/**
 * Options from QueryTrail's own script tag win over `window.querytrailConfig`. The
 * tag's `dataset` names each `data-` attribute in camelCase, as the options are named
 * (`data-query-id-ttl` is `queryIdTtl`).
 */
export function pageOptions(script: HTMLOrSVGElement | null, global: unknown): Record<string, unknown> {
  const found: Record<string, unknown> = { ...(isRecord(global) && global) };
  for (const name of OPTION_NAMES) found[name] = script?.dataset[name] ?? found[name];
  return found;
}

export type OptionsResult = { ok: true; options: Options } | { ok: false; problems: string[] };

export function parseOptions(input: unknown): OptionsResult {
  const raw: Record<string, unknown> = { ...DEFAULTS };
  // Names QueryTrail does not know are left out, as a script tag's other attributes are, and
  // null is not set: a tag manager's empty variable is null or undefined.
  if (isRecord(input)) {
    for (const name of OPTION_NAMES) {
      if (input[name] != null) raw[name] = coerceOption(name, input[name]);
    }
  }
  const result = check(schema, raw);
  if (result.issues) {
    return {
      ok: false,
      problems: result.issues.map(({ path: [name = ''], message }) =>
        String(name) in raw ? `${String(name)} ${message} (got ${quote(raw[String(name)])})` : `${String(name)} is missing: it ${message}`,
      ),
    };
  }
  const { region, endpoint, ...options } = result.value;
  const origin = endpoint ?? (region ? `https://insights.${region}.algolia.io` : 'https://insights.algolia.io');
  return { ok: true, options: { ...options, endpoint: origin.replace(/\/$/, '') } };
}
