// @vitest-environment node
// Property-based tests: random markup, options, tokens and interactions, judged by Algolia's
// official OpenAPI description. The official validator finds that description from
// `import.meta.url`, which the happy-dom project rewrites to an http: URL; so this file runs
// in node and installs vitest's own happy-dom environment itself.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { builtinEnvironments } from 'vitest/runtime';
import { createOfficialValidator, eventsSchemaPath as defaultSpecPath } from '../../tools/official-validator.mjs';
import { validateEvent } from '../../src/events/schemas';
import { init, type QueryTrail } from '../../src/trail';

let teardownDom: (() => unknown) | undefined;
beforeAll(async () => {
  const environment = await builtinEnvironments['happy-dom'].setup(globalThis, { happyDOM: { url: 'https://shop.example/results' } });
  teardownDom = () => environment.teardown(globalThis);
});
afterAll(() => teardownDom?.());

const official = createOfficialValidator();
const DAY_MS = 86_400_000;
const NUM_RUNS = 150;
const PROPERTY_TIMEOUT_MS = 20_000;

/** The API's user token rule, as the official validator applies it to an otherwise valid event. */
const apiAcceptsToken = (token: unknown) =>
  official({ eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'], userToken: token }).valid;
/** What the API receives: the event's JSON. */
const onTheWire = (event: unknown): unknown => JSON.parse(JSON.stringify(event));
const officialProblems = (events: readonly unknown[]) =>
  events.map((event) => ({ event, errors: official(onTheWire(event)).errors })).filter(({ errors }) => errors.length > 0);

// ---------------------------------------------------------------------------------------
// Values: mostly plausible, sometimes anything at all.

const likely = <T, U>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<U>, weight = 3): fc.Arbitrary<T | U> =>
  fc.oneof({ weight, arbitrary: good }, { weight: 1, arbitrary: odd });
const oddText = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1.5', '1e3', 'NaN', 'Infinity', '-0', '0x1A', ' 7 ', '☕', '𝔘𝔫𝔦', '\u0000', '%', '%E0%A4%A', 'x'.repeat(5000)),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 60, maxLength: 300 }),
);
const likelyText = (good: fc.Arbitrary<string>) => likely(good, oddText, 6);
const anything = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true });
const queryIdText = fc.stringMatching(/^[0-9a-f]{32}$/);
const validToken = fc.stringMatching(/^[\w=/+-]{1,128}$/);
const token = fc.oneof(
  validToken,
  fc.constantFrom('', ' ', 'has spaces', 'é', 'x'.repeat(128), 'x'.repeat(129), 'user\n', 'a;b'),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const eventNameText = fc.stringMatching(/^[\x20-\x7E]{1,64}$/);

// ---------------------------------------------------------------------------------------
// Markup (SPEC §2).

const numberText = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2, max: 40 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('19.99', '0.1', '3', '1,5') },
  { weight: 1, arbitrary: fc.double().map(String) },
);
const facet = fc.oneof(fc.constantFrom('brand', 'Apple Inc', '10%', 'a%20b', '%E0%A4%A', ' ', ''), fc.string({ maxLength: 8 }));
const filterText = fc
  .array(fc.tuple(facet, fc.constantFrom(':', '', '::'), facet).map((parts) => parts.join('')), { maxLength: 25 })
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
const ATTRIBUTE_NAMES = Object.keys(MARKUP) as AttributeName[];

/** Attributes of one element: always the `required` ones, and any of the `optional` ones. */
const attributes = (required: AttributeName[], optional: AttributeName[]) =>
  fc
    .subarray(optional)
    .chain((chosen) => fc.tuple(...[...required, ...chosen].map((name) => MARKUP[name].map((value) => [name, value] as const))));

const ROLES = [
  { weight: 1, arbitrary: attributes([], []) },
  {
    weight: 2,
    arbitrary: attributes([], ['data-insights-index', 'data-insights-query-id', 'data-insights-page', 'data-insights-hits-per-page', 'data-insights-event-name', 'data-insights-value', 'data-insights-currency']),
  },
  {
    weight: 3,
    arbitrary: attributes(['data-insights-object-id'], ['data-insights-position', 'data-insights-price', 'data-insights-quantity', 'data-insights-discount', 'data-insights-query-id', 'data-insights-index', 'data-insights-event-name']),
  },
  { weight: 1, arbitrary: attributes(['data-insights-filter'], ['data-insights-index', 'data-insights-event-name']) },
  { weight: 1, arbitrary: attributes(['data-insights-conversion'], ['data-insights-items', 'data-insights-value', 'data-insights-currency', 'data-insights-event-name']) },
  { weight: 1, arbitrary: attributes(['data-insights-ignore'], []) },
  { weight: 1, arbitrary: attributes([], ATTRIBUTE_NAMES) },
];

interface Markup {
  tag: string;
  type: string;
  attributes: ReadonlyArray<readonly [string, string]>;
  shadow: boolean;
  children: readonly Markup[];
}

const { tree } = fc.letrec<{ tree: Markup }>((tie) => ({
  tree: fc.record({
    tag: fc.constantFrom('div', 'li', 'ol', 'section', 'span', 'a', 'button', 'form', 'input'),
    type: fc.constantFrom('submit', 'button', 'image', 'text'),
    attributes: fc.oneof(...ROLES),
    shadow: fc.boolean(),
    children: fc.oneof({ maxDepth: 3, depthIdentifier: 'markup' }, fc.constant([]), fc.array(tie('tree'), { maxLength: 3 })),
  }),
}));

const SHADOW_HOSTS = new Set(['div', 'section', 'span']);

function build(markup: Markup, parent: ParentNode, elements: Element[]): void {
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

interface Schema {
  properties?: Record<string, { $ref?: string }>;
  required?: string[];
  enum?: string[];
  oneOf?: Array<{ $ref: string }>;
}
const schemas: Record<string, Schema> = JSON.parse(readFileSync(defaultSpecPath, 'utf8')).components.schemas;
const schemaOf = (ref: string | undefined): Schema => (ref && schemas[ref.slice(ref.lastIndexOf('/') + 1)]) || {};
const VARIANTS = (schemas.EventsItems?.oneOf ?? []).map(({ $ref }) => {
  const { properties = {}, required = [] } = schemaOf($ref);
  return {
    fields: Object.keys(properties),
    required,
    eventType: schemaOf(properties.eventType?.$ref).enum ?? [],
    eventSubtype: schemaOf(properties.eventSubtype?.$ref).enum ?? [],
  };
});
const ALL_FIELDS = [...new Set(VARIANTS.flatMap(({ fields }) => fields))];

// Within the 4 days QueryTrail (SPEC §7) and the API accept.
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
    fc.array(fc.tuple(fc.stringMatching(/^[\w%]{1,8}$/), fc.stringMatching(/^[\w%]{1,8}$/)).map(([name, value]) => `${name}:${value}`), { minLength: 1, maxLength: 20 }),
    fc.oneof(fc.constantFrom([], ['brand'], [':apple'], ['brand:'], 'brand:apple'), fc.array(fc.string(), { minLength: 21, maxLength: 22 })),
  ),
  positions: mostlyValid(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 20 }), fc.constantFrom([], [0], [-1], [1.5], ['1'], 1)),
  queryID: mostlyValid(fc.oneof(queryIdText, fc.stringMatching(/^message_[!-~]{1,120}$/)), fc.oneof(oddText, fc.constantFrom('0123456789ABCDEF0123456789ABCDEF', 'message_', 'message_ a'))),
  objectData: mostlyValid(fc.array(objectData, { minLength: 1, maxLength: 20 }), fc.constantFrom([], {}, [null], 'data')),
  value: mostlyValid(fc.oneof(finite, fc.string({ maxLength: 16 })), fc.oneof(fc.constantFrom(Number.NaN, Infinity, true), fc.string({ minLength: 17, maxLength: 30 }))),
  currency: mostlyValid(fc.stringMatching(/^[A-Za-z]{3}$/), fc.constantFrom('EURO', '€€€', '', 978)),
  agentID: mostlyValid(fc.string({ minLength: 1 }), fc.constantFrom('', 42)),
};

/** One claimed variant of the API, its fields valid or not, sometimes with a field it does not define. */
const insightsEvent = fc
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
// Options (SPEC §1): values any implementation must accept, values it must refuse, and anything.

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

type Verdict = 'valid' | 'invalid' | 'either';
interface OptionsCase {
  input: unknown;
  /** Whether every value was one the SPEC allows, one it refuses, or anything at all. */
  verdict: Verdict;
}

const judged = ({ valid, invalid }: { valid: fc.Arbitrary<unknown>; invalid: fc.Arbitrary<unknown> }) =>
  fc.oneof(
    { weight: 30, arbitrary: valid.map((value) => ({ value, verdict: 'valid' as Verdict })) },
    { weight: 1, arbitrary: invalid.map((value) => ({ value, verdict: 'invalid' as Verdict })) },
    { weight: 1, arbitrary: anything.map((value) => ({ value, verdict: 'either' as Verdict })) },
  );

const anyOptions: fc.Arbitrary<OptionsCase> = fc.oneof(
  {
    weight: 19,
    arbitrary: fc.record(Object.fromEntries(Object.entries(OPTIONS).map(([name, values]) => [name, judged(values)])), { requiredKeys: [] }).map((chosen) => {
      const values = Object.entries(chosen).flatMap(([name, judgement]) => (judgement ? [{ name, ...judgement }] : []));
      const verdicts = values.map(({ verdict }) => verdict);
      const missing = REQUIRED_OPTIONS.some((name) => !(name in chosen));
      const verdict: Verdict =
        missing || verdicts.includes('invalid') ? 'invalid' : verdicts.includes('either') ? 'either' : 'valid';
      return { input: Object.fromEntries(values.map(({ name, value }) => [name, value])), verdict };
    }),
  },
  { weight: 1, arbitrary: anything.map((input) => ({ input, verdict: 'either' as Verdict })) },
);

const validOptionValues = fc.record(Object.fromEntries(Object.entries(OPTIONS).map(([name, { valid }]) => [name, valid])), {
  requiredKeys: REQUIRED_OPTIONS,
});
const validOptions: fc.Arbitrary<OptionsCase> = validOptionValues.map((input) => ({ input, verdict: 'valid' }));

// ---------------------------------------------------------------------------------------
// Scenarios: a page, options, what the API answers, and what the user and the page do.

const NETWORK_ERROR = 0;
const action = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('click'), target: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('submit'), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove'), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('auxclick'), target: fc.nat(), button: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('scroll'), ratio: fc.constantFrom(0, 0.3, 0.5, 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mutate'), target: fc.nat(), name: fc.constantFrom(...ATTRIBUTE_NAMES), value: fc.option(oddText) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add'), target: fc.nat(), markup: tree }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('track'), event: fc.oneof({ weight: 3, arbitrary: insightsEvent }, { weight: 1, arbitrary: anything }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('setUserToken', 'setAuthenticatedUserToken'), token: fc.oneof(token, anything) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setConsent'), consent: likely(fc.constantFrom('granted', 'pending', 'denied'), anything) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setOptOut'), optOut: likely(fc.constant(false), anything) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('pagehide', 'flush') }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

const scenario = (options: fc.Arbitrary<OptionsCase>) =>
  fc.record({
    options,
    page: fc.array(tree, { minLength: 1, maxLength: 4 }),
    landingQueryID: fc.option(likelyText(queryIdText), { nil: undefined }),
    answers: fc.array(
      fc.oneof({ weight: 4, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(204, 401, 403, 413, 422, 429, 500, NETWORK_ERROR) }),
      { minLength: 1, maxLength: 4 },
    ),
    beaconAccepted: fc.boolean(),
    actions: fc.array(action, { minLength: 1, maxLength: 20, size: 'medium' }),
  });
type Scenario = typeof scenario extends (options: never) => fc.Arbitrary<infer S> ? S : never;

/** happy-dom never reports intersections: the scenario scrolls by reporting them itself. */
class ScriptedIntersectionObserver {
  static readonly live = new Set<ScriptedIntersectionObserver>();
  private readonly targets = new Set<Element>();
  constructor(private readonly report: IntersectionObserverCallback) {
    ScriptedIntersectionObserver.live.add(this);
  }
  observe(target: Element) {
    this.targets.add(target);
  }
  unobserve(target: Element) {
    this.targets.delete(target);
  }
  disconnect() {
    this.targets.clear();
    ScriptedIntersectionObserver.live.delete(this);
  }
  takeRecords() {
    return [];
  }
  static scroll(intersectionRatio: number) {
    for (const observer of ScriptedIntersectionObserver.live) {
      const entries = [...observer.targets].map(
        (target) => ({ target, time: performance.now(), isIntersecting: intersectionRatio > 0, intersectionRatio }) as unknown as IntersectionObserverEntry,
      );
      observer.report(entries, observer as unknown as IntersectionObserver);
    }
  }
}

interface Outcome {
  /** An instance started (an inert one has no user token). */
  running: boolean;
  errorsFromInit: number;
  errorsAfterInit: number;
  /** API calls with a value the SPEC refuses, each owed one console.error by a running instance. */
  refusedCalls: number;
  /** The API answered 401 or 403, which is owed one console.error. */
  unauthorized: boolean;
  thrown: unknown[];
  pageErrors: unknown[];
  announced: unknown[];
  sent: unknown[];
}

const SETTLE_MS = 0;
const VIEW_MS = 1000;

async function play({ options, page, landingQueryID, answers, beaconAccepted, actions }: Scenario): Promise<Outcome> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
  vi.stubGlobal('IntersectionObserver', ScriptedIntersectionObserver);
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const bodies: string[] = [];
  let answered = 0;
  let unauthorized = false;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, request: RequestInit) => {
      bodies.push(String(request.body));
      const status = answers[answered++ % answers.length] as number;
      if (status === NETWORK_ERROR) throw new TypeError('Failed to fetch');
      unauthorized ||= status === 401 || status === 403;
      return new Response(null, { status });
    }),
  );
  vi.spyOn(navigator, 'sendBeacon').mockImplementation((_url, body) => {
    if (beaconAccepted) bodies.push(String(body));
    return beaconAccepted;
  });
  const outcome: Outcome = { running: false, errorsFromInit: 0, errorsAfterInit: 0, refusedCalls: 0, unauthorized: false, thrown: [], pageErrors: [], announced: [], sent: [] };
  const onPageError = (event: Event) => outcome.pageErrors.push((event as ErrorEvent).error ?? event);
  const onEvent = (event: Event) => outcome.announced.push((event as CustomEvent).detail);
  window.addEventListener('error', onPageError);
  document.addEventListener('querytrail:event', onEvent);
  // The page's own handlers: no navigation away from the test page.
  const stay = (event: Event) => event.preventDefault();
  window.addEventListener('click', stay);
  window.addEventListener('submit', stay);
  if (landingQueryID !== undefined) history.replaceState(null, '', `?${new URLSearchParams({ queryID: landingQueryID, qid: landingQueryID })}`);

  const attempt = async (work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      outcome.thrown.push(error);
    }
  };
  const elements: Element[] = [];
  let trail: QueryTrail | undefined;
  try {
    for (const markup of page) build(markup, document.body, elements);
    await attempt(() => (trail = init(options.input)));
    outcome.errorsFromInit = consoleError.mock.calls.length;
    outcome.running = trail?.getUserToken() !== undefined;
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    for (const step of actions) {
      await attempt(() => perform(step, trail as QueryTrail, elements, outcome));
      await vi.advanceTimersByTimeAsync(step.kind === 'scroll' ? VIEW_MS : SETTLE_MS);
    }
    await attempt(() => trail?.flush());
    await attempt(() => trail?.destroy());
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
  } finally {
    outcome.errorsAfterInit = consoleError.mock.calls.length - outcome.errorsFromInit;
    outcome.unauthorized = unauthorized;
    outcome.sent = bodies.flatMap((body) => (JSON.parse(body) as { events: unknown[] }).events);
    window.removeEventListener('error', onPageError);
    document.removeEventListener('querytrail:event', onEvent);
    window.removeEventListener('click', stay);
    window.removeEventListener('submit', stay);
    document.body.innerHTML = '';
    for (const cookie of document.cookie.split(';')) document.cookie = `${cookie.split('=')[0]?.trim()}=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/`;
    history.replaceState(null, '', '/results');
    ScriptedIntersectionObserver.live.clear();
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  }
  return outcome;
}

const CONSENTS: unknown[] = ['granted', 'pending', 'denied'];

function perform(step: Action, trail: QueryTrail, elements: Element[], outcome: Outcome): unknown {
  const refusedWhen = (refused: boolean) => {
    if (refused && outcome.running) outcome.refusedCalls += 1;
  };
  const target = 'target' in step ? elements[step.target % elements.length] : undefined;
  switch (step.kind) {
    case 'click':
      return target?.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, composed: true }));
    case 'auxclick':
      return target?.dispatchEvent(new MouseEvent('auxclick', { bubbles: true, cancelable: true, composed: true, button: step.button }));
    case 'submit':
      return target?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    case 'remove':
      return target?.remove();
    case 'scroll':
      return ScriptedIntersectionObserver.scroll(step.ratio);
    case 'mutate':
      return step.value === null ? target?.removeAttribute(step.name) : target?.setAttribute(step.name, step.value);
    case 'add':
      return target && build(step.markup, target, elements);
    case 'track':
      return trail.track(step.event as Record<string, unknown>);
    case 'setUserToken':
      refusedWhen(!apiAcceptsToken(step.token));
      return trail.setUserToken(step.token as string);
    case 'setAuthenticatedUserToken':
      refusedWhen(step.token !== undefined && !apiAcceptsToken(step.token));
      return trail.setAuthenticatedUserToken(step.token as string | undefined);
    case 'setConsent':
      refusedWhen(!CONSENTS.includes(step.consent));
      return trail.setConsent(step.consent as 'granted');
    case 'setOptOut':
      return trail.setOptOut(step.optOut as boolean);
    case 'pagehide':
      return window.dispatchEvent(new Event('pagehide'));
    case 'flush':
      return trail.flush();
  }
}

// ---------------------------------------------------------------------------------------

describe('property: nothing ever throws into the page', () => {
  it('init, the runtime API and any interaction with any markup throw nothing; console.error only for refused values', async () => {
    await fc.assert(
      fc.asyncProperty(scenario(anyOptions), async (page) => {
        const outcome = await play(page);
        expect(outcome.thrown).toEqual([]);
        expect(outcome.pageErrors).toEqual([]);
        // One console.error for invalid options, and the instance stays inert.
        expect(outcome.errorsFromInit).toBe(outcome.running ? 0 : 1);
        if (page.options.verdict !== 'either') expect(outcome.running).toBe(page.options.verdict === 'valid');
        expect(outcome.errorsAfterInit).toBeGreaterThanOrEqual(outcome.refusedCalls);
        expect(outcome.errorsAfterInit).toBeLessThanOrEqual(outcome.refusedCalls + (outcome.unauthorized ? 1 : 0));
      }),
      { numRuns: NUM_RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('property: every event QueryTrail sends validates against the official OpenAPI description', () => {
  it('every announced event and every event in a request body', async () => {
    const seen = { announced: 0, sent: 0 };
    await fc.assert(
      fc.asyncProperty(scenario(validOptions), async (page) => {
        const { announced, sent } = await play(page);
        seen.announced += announced.length;
        seen.sent += sent.length;
        expect(officialProblems(announced)).toEqual([]);
        expect(officialProblems(sent)).toEqual([]);
      }),
      { numRuns: NUM_RUNS },
    );
    // The property is only worth something when the pages send events.
    expect(seen.announced).toBeGreaterThan(NUM_RUNS / 2);
    expect(seen.sent).toBeGreaterThan(NUM_RUNS / 2);
  }, PROPERTY_TIMEOUT_MS);

  it('validateEvent is sound: an event it accepts is accepted by the official validator', () => {
    let accepted = 0;
    fc.assert(
      fc.property(insightsEvent, (event) => {
        const verdict = validateEvent(event);
        if (!verdict.ok) return;
        accepted += 1;
        expect(officialProblems([verdict.event])).toEqual([]);
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });
});

describe('property: user tokens', () => {
  it('setUserToken adopts exactly the tokens the API accepts, keeps the previous one otherwise, and stamps events with it', async () => {
    await fc.assert(
      fc.asyncProperty(validOptionValues, fc.array(token, { minLength: 1, maxLength: 8 }), async (options, tokens) => {
        for (const quiet of ['error', 'warn', 'log'] as const) vi.spyOn(console, quiet).mockImplementation(() => {});
        vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 200 })));
        const trail = init({ ...options, optOut: false });
        const stamped: unknown[] = [];
        const onEvent = (event: Event) => stamped.push((event as CustomEvent).detail.userToken);
        document.addEventListener('querytrail:event', onEvent);
        try {
          let previous = trail.getUserToken();
          expect(apiAcceptsToken(previous)).toBe(true);
          for (const candidate of tokens) {
            trail.setUserToken(candidate);
            const expected = apiAcceptsToken(candidate) ? candidate : previous;
            expect(trail.getUserToken()).toBe(expected);
            trail.track({ eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'] });
            expect(stamped.at(-1)).toBe(expected);
            previous = trail.getUserToken();
          }
        } finally {
          trail.destroy();
          document.removeEventListener('querytrail:event', onEvent);
          document.cookie = '_ALGOLIA=;expires=Thu, 01 Jan 1970 00:00:00 GMT;path=/';
          vi.restoreAllMocks();
          vi.unstubAllGlobals();
        }
      }),
      { numRuns: NUM_RUNS },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('regressions: shrunk counterexamples of the properties', () => {
  let trail: QueryTrail | undefined;
  beforeEach(() => {
    for (const quiet of ['error', 'warn', 'log'] as const) vi.spyOn(console, quiet).mockImplementation(() => {});
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 200 })));
  });
  afterEach(() => {
    trail?.destroy();
    trail = undefined;
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('validateEvent refuses a timestamp the API refuses as older than 30 days', () => {
    const event = { eventName: ' ', eventType: 'instantsearch', userToken: 'a', timestamp: 0 };
    expect(official(event).errors).toEqual(['The timestamp is too far in the past']);
    expect(validateEvent(event).ok).toBe(false);
  });

  it('track() refuses a hand-built event older than the API accepts', () => {
    trail = init({ appId: 'LATENCY', apiKey: 'search-only-key' });
    const event = { eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'], timestamp: Date.now() - 31 * DAY_MS };
    expect(trail.track(event)).toBe(false);
  });

  it('setConsent and the token setters throw nothing for a value JSON.stringify cannot write (a BigInt)', () => {
    trail = init({ appId: 'LATENCY', apiKey: 'search-only-key' });
    expect(() => trail?.setConsent([[{ '': 0n }]] as never)).not.toThrow();
    expect(() => trail?.setUserToken({ '': 0n } as never)).not.toThrow();
    expect(() => trail?.setAuthenticatedUserToken({ '': 0n } as never)).not.toThrow();
    expect(trail.getUserToken()).toMatch(/^anonymous-/);
  });

  it('retries a failing API with backoff, not in a loop (SPEC §7), also with flushInterval 0', async () => {
    const object: Markup = { tag: 'li', type: 'text', attributes: [['data-insights-object-id', 'sku-1']], shadow: false, children: [] };
    const { sent } = await play({
      options: { input: { appId: 'LATENCY', apiKey: 'search-only-key', index: 'products', flushInterval: 0 }, verdict: 'valid' },
      page: [object],
      landingQueryID: undefined,
      answers: [500],
      beaconAccepted: true,
      // One click, then a second of waiting.
      actions: [{ kind: 'click', target: 0 }, { kind: 'scroll', ratio: 0 }],
    });
    expect(sent.length).toBeLessThan(10);
  });
});
