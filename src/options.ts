import { USER_TOKEN, USER_TOKEN_RULE } from './events/schemas';
import { oneOf, rule, text, whole } from './lib/rules';
import { show } from './lib/show';
import { z } from './lib/zod';

export type Consent = 'granted' | 'pending' | 'denied';

const eventName = text(/^[\x20-\x7E]{1,64}$/, 'an event name of 1 to 64 visible ASCII characters');
const token = z.optional(text(USER_TOKEN, USER_TOKEN_RULE));
const flag = rule<boolean>((input) => typeof input === 'boolean', 'true or false');
const key = (what: string) => text(/^[\w-]+$/, `${what} (letters, digits, _ and -)`);

const schema = z.object({
  appId: key('an Algolia application ID'),
  apiKey: key('a search-only API key'),
  region: z.optional(oneOf(['us', 'de'], '"us" or "de"')),
  endpoint: z.optional(text(/^https?:\/\/[^/?#\s]+\/?$/, 'an origin such as https://insights.algolia.io')),
  userToken: token,
  authenticatedUserToken: token,
  useCookie: flag,
  consent: oneOf(['granted', 'pending', 'denied'], '"granted", "pending" or "denied"'),
  optOut: flag,
  index: z.optional(text(/./, 'a non-empty index name')),
  currency: z.optional(text(/^[A-Za-z]{3}$/, 'a three-letter ISO 4217 code')),
  queryIdParam: text(/./, 'a non-empty URL parameter name'),
  queryIdTtl: whole('a whole number of seconds above 0', 1),
  views: flag,
  flushInterval: whole('a whole number of milliseconds, 0 or more', 0),
  debug: flag,
  clickEventName: eventName,
  viewEventName: eventName,
  conversionEventName: eventName,
  addToCartEventName: eventName,
  purchaseEventName: eventName,
  filterEventName: eventName,
});

/** SPEC §1 defaults; what a user leaves out is taken from here before validation. */
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

export type OptionsInput = Partial<z.input<typeof schema>> & Pick<z.input<typeof schema>, 'appId' | 'apiKey'>;
export type ParsedOptions = z.output<typeof schema>;
export type Options = Omit<ParsedOptions, 'endpoint' | 'region'> & { endpoint: string };
type OptionName = keyof ParsedOptions;

const OPTION_NAMES = Object.keys(schema.def.shape) as OptionName[];
const BOOLEAN_OPTIONS = new Set<string>(['useCookie', 'optOut', 'views', 'debug']);
const NUMBER_OPTIONS = new Set<string>(['queryIdTtl', 'flushInterval']);

/**
 * Script attributes and tag-manager variables are strings: booleans follow the HTML
 * convention (present, "" or "true" is true), numbers are decimal. Anything else is
 * left as it is for the schema to reject by name.
 */
function coerceOption(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (BOOLEAN_OPTIONS.has(name)) {
    if (trimmed === '' || trimmed === 'true') return true;
    if (trimmed === 'false') return false;
  }
  if (NUMBER_OPTIONS.has(name) && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return value;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Options from QueryTrail's own script tag: `data-` + the option name in kebab-case. */
function readScriptOptions(script: Element | null): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of OPTION_NAMES) {
    const value = script?.getAttribute(`data-${kebab(name)}`);
    if (value !== null && value !== undefined) found[name] = value;
  }
  return found;
}

/** SPEC §1: attributes on QueryTrail's own script tag win over `window.querytrailConfig`. */
export function pageOptions(script: Element | null, global: unknown): Record<string, unknown> {
  const fromGlobal = typeof global === 'object' && global !== null ? global : {};
  return { ...fromGlobal, ...readScriptOptions(script) };
}

export type OptionsResult = { ok: true; options: Options } | { ok: false; problems: string[] };


export function parseOptions(input: unknown): OptionsResult {
  const raw: Record<string, unknown> = { ...DEFAULTS };
  if (typeof input === 'object' && input !== null) {
    for (const [name, value] of Object.entries(input)) {
      if (value !== undefined) raw[name] = coerceOption(name, value);
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues.map(({ path: [name = ''], message }) =>
        String(name) in raw ? `${String(name)} must be ${message} (got ${show(raw[String(name)])})` : `${String(name)} is required: ${message}`,
      ),
    };
  }
  const { region, endpoint, ...options } = result.data;
  const origin = endpoint ?? (region ? `https://insights.${region}.algolia.io` : 'https://insights.algolia.io');
  return { ok: true, options: { ...options, endpoint: origin.replace(/\/$/, '') } };
}
