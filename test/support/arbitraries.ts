// Generators for the property tests: random markup, events, options and tokens, mostly plausible
// and sometimes anything at all. Events follow the official description field by field.
import fc from 'fast-check';
import { officialSchemas, type Schema } from './official';

export const DAY_MS = 86_400_000;
/** Runs per property: enough to meet the odd values, few enough for the 2-core machine. */
export const NUM_RUNS = 150;
export const PROPERTY_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------
// Values: mostly plausible, sometimes anything at all.

export const likely = <T, U>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<U>, weight = 3): fc.Arbitrary<T | U> =>
  fc.oneof({ weight, arbitrary: good }, { weight: 1, arbitrary: odd });
export const oddText = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1.5', '1e3', 'NaN', 'Infinity', '-0', '0x1A', ' 7 ', '☕', '𝔘𝔫𝔦', '\u0000', '%', '%E0%A4%A', 'x'.repeat(5000)),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 60, maxLength: 300 }),
);
export const likelyText = (good: fc.Arbitrary<string>) => likely(good, oddText, 6);
export const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withBoxedValues: true,
});
export const queryIdText = fc.stringMatching(/^[0-9a-f]{32}$/);
const validToken = fc.stringMatching(/^[\w=/+-]{1,128}$/);
export const token = fc.oneof(
  validToken,
  fc.constantFrom('', ' ', 'has spaces', 'é', 'x'.repeat(128), 'x'.repeat(129), 'user\n', 'a;b'),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const eventNameText = fc.stringMatching(/^[\x20-\x7E]{1,64}$/);

// ---------------------------------------------------------------------------------------
// Markup (docs/behaviour.md).

const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2, max: 40 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('19.99', '0.1', '3', '1,5') },
  { weight: 1, arbitrary: fc.double().map(String) },
);
const facet = fc.oneof(fc.constantFrom('brand', 'Apple Inc', '10%', 'a%20b', '%E0%A4%A', ' ', ''), fc.string({ maxLength: 8 }));
const filterText = fc
  .array(
    fc.tuple(facet, fc.constantFrom(':', '', '::'), facet).map((parts) => parts.join('')),
    { maxLength: 25 },
  )
  .map((filters) => filters.join(','));
const selector = fc.constantFrom(
  '[data-insights-object-id]',
  'li',
  '.line',
  '#nowhere',
  'section [data-insights-price]',
  '[',
  '>>>',
  '::nope(',
  'div[data-x="',
  '#',
  '1abc',
);

const MARKUP = {
  'data-insights-index': likelyText(fc.constantFrom('products', 'articles')),
  'data-insights-query-id': likelyText(queryIdText),
  'data-insights-page': likelyText(numberText),
  'data-insights-hits-per-page': likelyText(numberText),
  'data-insights-object-id': likelyText(fc.constantFrom('sku-1', 'sku-2', 'sku-3', 'post-9')),
  'data-insights-position': likelyText(numberText),
  'data-insights-price': likelyText(numberText),
  'data-insights-quantity': likelyText(numberText),
  'data-insights-discount': likelyText(numberText),
  'data-insights-filter': likelyText(filterText),
  'data-insights-conversion': likelyText(fc.constantFrom('', 'addToCart', 'purchase', 'AddToCart', ' purchase')),
  'data-insights-items': likelyText(selector),
  'data-insights-value': likelyText(numberText),
  'data-insights-currency': likelyText(fc.constantFrom('EUR', 'usd')),
  'data-insights-event-name': likelyText(fc.constantFrom('Product Clicked', 'Added')),
  'data-insights-ignore': fc.constantFrom('', 'true'),
};
type AttributeName = keyof typeof MARKUP;
export const ATTRIBUTE_NAMES = Object.keys(MARKUP) as AttributeName[];

/** Attributes of one element: always the `required` ones, and any of the `optional` ones. */
const attributes = (required: AttributeName[], optional: AttributeName[]) =>
  fc.subarray(optional).chain((chosen) => fc.tuple(...[...required, ...chosen].map((name) => MARKUP[name].map((value) => [name, value] as const))));

const ROLES = [
  { weight: 1, arbitrary: attributes([], []) },
  {
    weight: 2,
    arbitrary: attributes(
      [],
      [
        'data-insights-index',
        'data-insights-query-id',
        'data-insights-page',
        'data-insights-hits-per-page',
        'data-insights-event-name',
        'data-insights-value',
        'data-insights-currency',
      ],
    ),
  },
  {
    weight: 3,
    arbitrary: attributes(
      ['data-insights-object-id'],
      [
        'data-insights-position',
        'data-insights-price',
        'data-insights-quantity',
        'data-insights-discount',
        'data-insights-query-id',
        'data-insights-index',
        'data-insights-event-name',
      ],
    ),
  },
  { weight: 1, arbitrary: attributes(['data-insights-filter'], ['data-insights-index', 'data-insights-event-name']) },
  {
    weight: 1,
    arbitrary: attributes(
      ['data-insights-conversion'],
      ['data-insights-items', 'data-insights-value', 'data-insights-currency', 'data-insights-event-name'],
    ),
  },
  { weight: 1, arbitrary: attributes(['data-insights-ignore'], []) },
  { weight: 1, arbitrary: attributes([], ATTRIBUTE_NAMES) },
];

export interface Markup {
  tag: string;
  type: string;
  attributes: ReadonlyArray<readonly [string, string]>;
  shadow: boolean;
  children: readonly Markup[];
}

export const { tree } = fc.letrec<{ tree: Markup }>((tie) => ({
  tree: fc.record({
    tag: fc.constantFrom('div', 'li', 'ol', 'section', 'span', 'a', 'button', 'form', 'input'),
    type: fc.constantFrom('submit', 'button', 'image', 'text'),
    attributes: fc.oneof(...ROLES),
    shadow: fc.boolean(),
    children: fc.oneof({ maxDepth: 3, depthIdentifier: 'markup' }, fc.constant([]), fc.array(tie('tree'), { maxLength: 3 })),
  }),
}));

const SHADOW_HOSTS = new Set(['div', 'section', 'span']);

export function build(markup: Markup, parent: ParentNode, elements: Element[]): void {
  const element = document.createElement(markup.tag);
  if (markup.tag === 'button' || markup.tag === 'input') element.setAttribute('type', markup.type);
  for (const [name, value] of markup.attributes) element.setAttribute(name, value);
  parent.append(element);
  elements.push(element);
  const inside = markup.shadow && SHADOW_HOSTS.has(markup.tag) ? element.attachShadow({ mode: 'open' }) : element;
  for (const child of markup.children) build(child, inside, elements);
}

// ---------------------------------------------------------------------------------------
// Events, field by field from the official description (valid and invalid values).

const schemaOf = (ref: string | undefined): Schema => (ref && officialSchemas[ref.slice(ref.lastIndexOf('/') + 1)]) || {};
const VARIANTS = (officialSchemas.EventsItems?.oneOf ?? []).map(({ $ref }) => {
  const { properties = {}, required = [] } = schemaOf($ref);
  return {
    fields: Object.keys(properties),
    required,
    eventType: schemaOf(properties.eventType?.$ref).enum ?? [],
    eventSubtype: schemaOf(properties.eventSubtype?.$ref).enum ?? [],
  };
});
const ALL_FIELDS = [...new Set(VARIANTS.flatMap(({ fields }) => fields))];

// Within the 4 days QueryTrail (docs/behaviour.md) and the API accept.
const recentTimestamp = fc.integer({ min: 0, max: 3 * DAY_MS }).map((age) => Date.now() - age);
const oldTimestamp = fc.integer({ min: 31 * DAY_MS, max: 3650 * DAY_MS }).map((age) => Date.now() - age);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
/** An event breaks a rule in about one field of ten, so that both valid and invalid events come up. */
const mostlyValid = <T>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown>) => likely(good, odd, 10);
const amount = mostlyValid(fc.oneof(finite, fc.string({ maxLength: 16 })), fc.constantFrom(Number.NaN, Infinity, true, null, {}));
const objectData = fc
  .tuple(
    fc.record(
      {
        queryID: mostlyValid(queryIdText, oddText),
        price: amount,
        quantity: mostlyValid(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(1.5, 2 ** 31, -(2 ** 31) - 1, '2', Number.NaN)),
        discount: amount,
      },
      { requiredKeys: [] },
    ),
    fc.oneof({ weight: 10, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.record({ color: fc.string() }) }),
  )
  .map(([data, foreign]) => ({ ...data, ...foreign }));

const FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  eventName: mostlyValid(eventNameText, oddText),
  index: mostlyValid(fc.constantFrom('products', 'articles', 'prod_EN'), oddText),
  userToken: mostlyValid(validToken, token),
  authenticatedUserToken: mostlyValid(validToken, token),
  timestamp: mostlyValid(recentTimestamp, fc.oneof(oldTimestamp, fc.constantFrom(0, -1, 1.5, Number.NaN, 2 ** 53, '1700000000000'))),
  objectIDs: mostlyValid(
    fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 20 }),
    fc.oneof(fc.constantFrom([], [''], [1], 'sku-1'), fc.array(fc.string(), { minLength: 21, maxLength: 25 })),
  ),
  filters: mostlyValid(
    fc.array(
      fc.tuple(fc.stringMatching(/^[\w%]{1,8}$/), fc.stringMatching(/^[\w%]{1,8}$/)).map(([name, value]) => `${name}:${value}`),
      { minLength: 1, maxLength: 20 },
    ),
    fc.oneof(fc.constantFrom([], ['brand'], [':apple'], ['brand:'], 'brand:apple'), fc.array(fc.string(), { minLength: 21, maxLength: 22 })),
  ),
  positions: mostlyValid(
    fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 20 }),
    fc.constantFrom([], [0], [-1], [1.5], ['1'], 1),
  ),
  queryID: mostlyValid(
    fc.oneof(queryIdText, fc.stringMatching(/^message_[!-~]{1,120}$/)),
    fc.oneof(oddText, fc.constantFrom('0123456789ABCDEF0123456789ABCDEF', 'message_', 'message_ a')),
  ),
  objectData: mostlyValid(fc.array(objectData, { minLength: 1, maxLength: 20 }), fc.constantFrom([], {}, [null], 'data')),
  value: mostlyValid(
    fc.oneof(finite, fc.string({ maxLength: 16 })),
    fc.oneof(fc.constantFrom(Number.NaN, Infinity, true), fc.string({ minLength: 17, maxLength: 30 })),
  ),
  currency: mostlyValid(fc.stringMatching(/^[A-Za-z]{3}$/), fc.constantFrom('EURO', '€€€', '', 978)),
  agentID: mostlyValid(fc.string({ minLength: 1 }), fc.constantFrom('', 42)),
};

/** One claimed variant of the API, its fields valid or not, sometimes with a field it does not define. */
export const insightsEvent = fc
  .constantFrom(...VARIANTS)
  .chain((variant) =>
    fc.tuple(
      fc.record(
        Object.fromEntries(
          variant.fields.map((field) =>
            field === 'eventType' || field === 'eventSubtype'
              ? [field, mostlyValid(fc.constantFrom(...variant[field]), fc.constantFrom('hover', 'Click', '', 'checkout'))]
              : [field, FIELDS[field] ?? anything],
          ),
        ),
        { requiredKeys: variant.required },
      ),
      fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...ALL_FIELDS, 'productName') }),
      fc.option(anything, { nil: undefined }),
      fc.boolean(),
    ),
  )
  .map(([event, foreignField, foreignValue, aligned]) => {
    const result: Record<string, unknown> = { ...event };
    if (foreignField !== null && !(foreignField in result)) result[foreignField] = foreignValue;
    // Lists the API wants one per objectID: mostly made to match, so that valid events come up.
    if (aligned && Array.isArray(result.objectIDs)) {
      const length = result.objectIDs.length;
      for (const field of ['positions', 'objectData'] as const) {
        const list = result[field];
        if (Array.isArray(list) && list.length) result[field] = Array.from({ length }, (_, n) => list[n % list.length]);
      }
    }
    return result;
  });

// ---------------------------------------------------------------------------------------
// Options (docs/behaviour.md): values any implementation must accept, values it must refuse, and anything.

// null is no value at all (a tag manager's empty variable): an optional option set to null takes its default.
const flag = { valid: fc.boolean(), invalid: fc.constantFrom('yes', 1, 0, []) };
const eventNameOption = { valid: eventNameText, invalid: fc.constantFrom('', 'x'.repeat(65), 'Café', 42) };
const OPTIONS: Record<string, { valid: fc.Arbitrary<unknown>; invalid: fc.Arbitrary<unknown> }> = {
  appId: { valid: fc.constantFrom('LATENCY', 'APP123', 'my-app_1'), invalid: fc.constantFrom('', 42, null, {}, true) },
  apiKey: { valid: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.constant('search-only-key')), invalid: fc.constantFrom('', 42, null, {}, true) },
  region: { valid: fc.constantFrom('us', 'de'), invalid: fc.constantFrom('eu', 'US', '', 1) },
  endpoint: {
    valid: fc.constantFrom('https://insights.algolia.io', 'http://127.0.0.1:8080', 'https://proxy.example.com/'),
    invalid: fc.constantFrom('insights.algolia.io', 'ftp://x.test', '', 80),
  },
  userToken: { valid: validToken, invalid: fc.constantFrom('', 'has spaces', 'é', 'x'.repeat(129), 42) },
  authenticatedUserToken: { valid: validToken, invalid: fc.constantFrom('', 'has spaces', 'é', 'x'.repeat(129), 42) },
  useCookie: flag,
  consent: { valid: fc.constantFrom('granted', 'pending', 'denied'), invalid: fc.constantFrom('yes', 'GRANTED', '', true) },
  optOut: { valid: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), invalid: flag.invalid },
  index: { valid: fc.constantFrom('products', 'prod_EN'), invalid: fc.constantFrom('', 42) },
  currency: { valid: fc.constantFrom('EUR', 'usd', 'JPY'), invalid: fc.constantFrom('EURO', '€', '', 978) },
  queryIdParam: { valid: fc.constantFrom('queryID', 'qid'), invalid: fc.constantFrom('', 7) },
  queryIdTtl: {
    valid: fc.oneof(fc.integer({ min: 1, max: 31_536_000 }), fc.constant('3600')),
    invalid: fc.constantFrom(0, -1, 1.5, Number.NaN, Infinity, 'week'),
  },
  views: { valid: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), invalid: flag.invalid },
  flushInterval: { valid: fc.integer({ min: 0, max: 10_000 }), invalid: fc.constantFrom(-1, 1.5, Number.NaN, 'soon') },
  debug: flag,
  clickEventName: eventNameOption,
  viewEventName: eventNameOption,
  conversionEventName: eventNameOption,
  addToCartEventName: eventNameOption,
  purchaseEventName: eventNameOption,
  filterEventName: eventNameOption,
};
const REQUIRED_OPTIONS = ['appId', 'apiKey'];

export type Verdict = 'valid' | 'invalid' | 'either';
export interface OptionsCase {
  input: unknown;
  /** Whether every value was one the documented options allow, one they refuse, or anything at all. */
  verdict: Verdict;
}

const judged = ({ valid, invalid }: { valid: fc.Arbitrary<unknown>; invalid: fc.Arbitrary<unknown> }) =>
  fc.oneof(
    { weight: 30, arbitrary: valid.map((value) => ({ value, verdict: 'valid' as Verdict })) },
    { weight: 1, arbitrary: invalid.map((value) => ({ value, verdict: 'invalid' as Verdict })) },
    { weight: 1, arbitrary: anything.map((value) => ({ value, verdict: 'either' as Verdict })) },
  );

export const anyOptions: fc.Arbitrary<OptionsCase> = fc.oneof(
  {
    weight: 19,
    arbitrary: fc
      .record(Object.fromEntries(Object.entries(OPTIONS).map(([name, values]) => [name, judged(values)])), { requiredKeys: [] })
      .map((chosen) => {
        const values = Object.entries(chosen).flatMap(([name, judgement]) => (judgement ? [{ name, ...judgement }] : []));
        const verdicts = values.map(({ verdict }) => verdict);
        const missing = REQUIRED_OPTIONS.some((name) => !(name in chosen));
        const verdict: Verdict = missing || verdicts.includes('invalid') ? 'invalid' : verdicts.includes('either') ? 'either' : 'valid';
        return { input: Object.fromEntries(values.map(({ name, value }) => [name, value])), verdict };
      }),
  },
  { weight: 1, arbitrary: anything.map((input) => ({ input, verdict: 'either' as Verdict })) },
);

export const validOptionValues = fc.record(Object.fromEntries(Object.entries(OPTIONS).map(([name, { valid }]) => [name, valid])), {
  requiredKeys: REQUIRED_OPTIONS,
});
export const validOptions: fc.Arbitrary<OptionsCase> = validOptionValues.map((input) => ({ input, verdict: 'valid' }));
