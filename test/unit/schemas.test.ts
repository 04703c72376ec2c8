// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { validateEvent, variantOf, type Variant } from '../../src/events/schemas';
import { pushEventsExamples } from '../../tools/official-validator.mjs';
import { CTS_TIME, ctsCases } from '../support/official';

type Event = Record<string, unknown>;

const NOW_ROUNDED = Math.round(Date.now() / 1000) * 1000;
const QUERY_ID = '43b15df305339e827f0ac0bdc5ebcaa7';

const cases = ctsCases(NOW_ROUNDED);

const examples = pushEventsExamples.requests as Record<string, { events: Event[] }>;

/** What validateEvent makes of each event: the variant when it passes, the rule when it fails. */
const outcomes = (events: Event[]) =>
  events.map((event) => {
    const result = validateEvent(event, CTS_TIME);
    return result.ok ? result.variant : result.rule;
  });

describe('official request cases pass', () => {
  // The CTS names cases after the API's variant titles. "AddedToCartObjectIDs" carries a top-level
  // queryID, which only the after-search variant has, so that is the variant it really is.
  const expectedByCase: Record<string, Variant[]> = {
    '(unnamed)': ['clickedObjectIDsAfterSearch'],
    'Many events type': ['convertedObjectIDsAfterSearch', 'viewedObjectIDs'],
    ConvertedObjectIDsAfterSearch: ['convertedObjectIDsAfterSearch'],
    ViewedObjectIDs: ['viewedObjectIDs'],
    AddedToCartObjectIDs: ['addedToCartObjectIDsAfterSearch'],
  };

  it('every template is filled with a whole-second timestamp', () => {
    const timestamps = cases.flatMap((testCase) => testCase.request.body.events.map((event) => event.timestamp));
    expect(timestamps).toContain(NOW_ROUNDED);
    expect(JSON.stringify(cases)).not.toContain('${{');
  });

  it.each(cases.map((testCase) => [testCase.testName ?? '(unnamed)', testCase] as const))('CTS case %s', (name, testCase) => {
    const { events } = testCase.request.body;
    expect(outcomes(events)).toEqual(expectedByCase[name]);
    expect(events.map((event) => variantOf(event))).toEqual(expectedByCase[name]);
    // Validation hands the event on unchanged: nothing the API needs is stripped.
    for (const event of events) expect(validateEvent(event, CTS_TIME)).toMatchObject({ ok: true, event });
  });

  const expectedByExample: Record<string, Variant> = {
    ClickObjectIDsAfterSearch: 'clickedObjectIDsAfterSearch',
    ConversionObjectIDsAfterSearch: 'convertedObjectIDsAfterSearch',
    AddedToCartAfterSearch: 'addedToCartObjectIDsAfterSearch',
    PurchasedAfterSearch: 'purchasedObjectIDsAfterSearch',
    ClickObjectIDs: 'clickedObjectIDs',
    ConversionObjectIDs: 'convertedObjectIDs',
    AddedToCart: 'addedToCartObjectIDs',
    Purchased: 'purchasedObjectIDs',
    ClickFilter: 'clickedFilters',
    ConversionFilter: 'convertedFilters',
    ViewObjectIDs: 'viewedObjectIDs',
    ViewFilters: 'viewedFilters',
    InstantsearchMinimum: 'instantsearch',
    InstantsearchWithAgentID: 'instantsearch',
  };

  it('the OpenAPI examples are exactly those expected here', () => {
    expect(Object.keys(examples).sort()).toEqual(Object.keys(expectedByExample).sort());
  });

  it.each(Object.entries(examples))('OpenAPI example %s', (name, example) => {
    const { events } = example;
    expect(outcomes(events)).toEqual(events.map(() => expectedByExample[name]));
  });
});

const without = (event: Event, field: string): Event => Object.fromEntries(Object.entries(event).filter(([name]) => name !== field));
const objectIDsCount = (count: number) => Array.from({ length: count }, (_, n) => `sku-${n + 1}`);

const clickAfterSearch: Event = {
  eventType: 'click',
  eventName: 'Hit Clicked',
  index: 'products',
  userToken: 'anonymous-user-1',
  timestamp: NOW_ROUNDED,
  objectIDs: ['sku-1', 'sku-2'],
  positions: [3, 4],
  queryID: QUERY_ID,
};
const click: Event = without(without(clickAfterSearch, 'positions'), 'queryID');
const conversionAfterSearch: Event = { ...without(clickAfterSearch, 'positions'), eventType: 'conversion' };
const clickedFilters: Event = { ...without(click, 'objectIDs'), filters: ['brand:apple'] };
const addedToCart: Event = {
  ...without(conversionAfterSearch, 'queryID'),
  eventSubtype: 'addToCart',
  objectData: [{ price: 19.99, quantity: 2 }, { price: 5 }],
  currency: 'EUR',
};
const purchaseAfterSearch: Event = {
  ...addedToCart,
  eventSubtype: 'purchase',
  objectData: [
    { price: 49.99, quantity: 1, discount: 1.99, queryID: QUERY_ID },
    { price: 9.99, quantity: 2, queryID: '54ed4c9d94050a25e4e5ccf5d256ca42' },
  ],
  value: 69.97,
};

describe('events a user builds', () => {
  const bases: Record<string, [Event, Variant]> = {
    clickAfterSearch: [clickAfterSearch, 'clickedObjectIDsAfterSearch'],
    click: [click, 'clickedObjectIDs'],
    conversionAfterSearch: [conversionAfterSearch, 'convertedObjectIDsAfterSearch'],
    clickedFilters: [clickedFilters, 'clickedFilters'],
    addedToCart: [addedToCart, 'addedToCartObjectIDs'],
    purchaseAfterSearch: [purchaseAfterSearch, 'purchasedObjectIDsAfterSearch'],
  };
  // The mutations below start from these: each must be valid so that a failure is the mutation's.
  it.each(Object.entries(bases))('%s is valid', (_name, [event, variant]) => {
    expect(outcomes([event])).toEqual([variant]);
  });

  const edgeCases: { name: string; event: Event; variant: Variant }[] = [
    {
      name: 'price "8$" and discount "30%" as strings',
      event: { ...addedToCart, objectData: [{ price: '8$', discount: '30%', quantity: 1 }, { price: 5 }] },
      variant: 'addedToCartObjectIDs',
    },
    {
      name: 'an agentic message_ queryID',
      event: { ...clickAfterSearch, queryID: 'message_my-custom-query-id' },
      variant: 'clickedObjectIDsAfterSearch',
    },
    {
      name: '20 objectIDs with 20 positions',
      event: { ...clickAfterSearch, objectIDs: objectIDsCount(20), positions: objectIDsCount(20).map((_, n) => n + 1) },
      variant: 'clickedObjectIDsAfterSearch',
    },
    { name: 'a 64-character eventName', event: { ...clickAfterSearch, eventName: 'E'.repeat(64) }, variant: 'clickedObjectIDsAfterSearch' },
    { name: 'a 128-character userToken', event: { ...clickAfterSearch, userToken: 'u'.repeat(128) }, variant: 'clickedObjectIDsAfterSearch' },
    {
      name: 'value as a 16-character string',
      event: { ...purchaseAfterSearch, value: '1234567890123.45' },
      variant: 'purchasedObjectIDsAfterSearch',
    },
    {
      name: 'no timestamp (the API uses the time of arrival)',
      event: without(clickAfterSearch, 'timestamp'),
      variant: 'clickedObjectIDsAfterSearch',
    },
  ];
  it.each(edgeCases)('valid: $name', ({ event, variant }) => {
    expect(outcomes([event])).toEqual([variant]);
  });
});

/**
 * The rule must start with the variant (when one was picked), name the field path and,
 * where given, say what is broken; the last two in any order.
 */
const pointsAt = (variant: Variant | undefined, field: string, says?: RegExp) => {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const saying = says ? `(?=.*(?:${says.source}))` : '';
  return new RegExp(`^${variant ? `${variant}: ` : ''}(?=.*\\b${escaped}\\b)${saying}`, 'i');
};

describe('events that break a rule of the official spec are refused, naming the field', () => {
  const mutations: { name: string; event: Event; rule: RegExp }[] = [
    { name: 'eventName empty', event: { ...clickAfterSearch, eventName: '' }, rule: pointsAt('clickedObjectIDsAfterSearch', 'eventName', /64/) },
    {
      name: 'eventName of 65 characters',
      event: { ...clickAfterSearch, eventName: 'E'.repeat(65) },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'eventName', /64/),
    },
    {
      name: 'eventName with é',
      event: { ...clickAfterSearch, eventName: 'Produit consulté' },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'eventName', /ASCII/),
    },
    {
      name: 'eventName with a control character',
      event: { ...clickAfterSearch, eventName: 'Hit\nClicked' },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'eventName', /ASCII/),
    },
    { name: 'eventName missing', event: without(clickAfterSearch, 'eventName'), rule: pointsAt('clickedObjectIDsAfterSearch', 'eventName') },
    { name: 'eventType missing', event: without(clickAfterSearch, 'eventType'), rule: pointsAt(undefined, 'eventType') },
    { name: 'index missing', event: without(clickAfterSearch, 'index'), rule: pointsAt('clickedObjectIDsAfterSearch', 'index') },
    { name: 'userToken missing', event: without(clickAfterSearch, 'userToken'), rule: pointsAt('clickedObjectIDsAfterSearch', 'userToken') },
    { name: 'eventType "purchase"', event: { ...clickAfterSearch, eventType: 'purchase' }, rule: pointsAt(undefined, 'eventType', /conversion/) },
    {
      name: 'userToken with a space',
      event: { ...clickAfterSearch, userToken: 'user 1' },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'userToken', /128/),
    },
    {
      name: 'userToken of 129 characters',
      event: { ...clickAfterSearch, userToken: 'u'.repeat(129) },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'userToken', /128/),
    },
    {
      name: 'queryID not hexadecimal',
      event: { ...clickAfterSearch, queryID: 'g'.repeat(32) },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'queryID', /32/),
    },
    {
      name: 'queryID in uppercase hex',
      event: { ...clickAfterSearch, queryID: QUERY_ID.toUpperCase() },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'queryID', /lowercase/),
    },
    {
      name: 'queryID of 31 characters',
      event: { ...clickAfterSearch, queryID: QUERY_ID.slice(1) },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'queryID', /32/),
    },
    {
      name: 'message_ queryID with a space',
      event: { ...clickAfterSearch, queryID: 'message_my query' },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'queryID'),
    },
    {
      name: 'message_ queryID over 128 characters',
      event: { ...clickAfterSearch, queryID: `message_${'q'.repeat(121)}` },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'queryID'),
    },
    {
      name: 'objectIDs empty',
      event: { ...without(clickAfterSearch, 'positions'), objectIDs: [] },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'objectIDs', /empty|1 to 20/),
    },
    {
      name: 'objectIDs with 21 items',
      event: { ...clickAfterSearch, objectIDs: objectIDsCount(21), positions: objectIDsCount(21).map((_, n) => n + 1) },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'objectIDs', /20/),
    },
    {
      name: 'objectIDs holding a number',
      event: { ...clickAfterSearch, objectIDs: ['sku-1', 2] },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'objectIDs.1'),
    },
    { name: 'position 0', event: { ...clickAfterSearch, positions: [0, 1] }, rule: pointsAt('clickedObjectIDsAfterSearch', 'positions.0', /from 1/) },
    {
      name: 'negative position',
      event: { ...clickAfterSearch, positions: [1, -2] },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'positions.1', /from 1/),
    },
    {
      name: 'position 1.5',
      event: { ...clickAfterSearch, positions: [1.5, 2] },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'positions.0', /whole/),
    },
    {
      name: 'fewer positions than objectIDs',
      event: { ...clickAfterSearch, positions: [1] },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'positions', /per objectID/),
    },
    {
      name: 'positions on a conversion',
      event: { ...conversionAfterSearch, positions: [1, 2] },
      rule: pointsAt('convertedObjectIDsAfterSearch', 'positions'),
    },
    {
      name: 'positions without queryID on a click',
      event: without(clickAfterSearch, 'queryID'),
      rule: pointsAt('clickedObjectIDsAfterSearch', 'queryID'),
    },
    { name: 'filters empty', event: { ...clickedFilters, filters: [] }, rule: pointsAt('clickedFilters', 'filters', /empty|1 to 20/) },
    {
      name: 'filters with 21 items',
      event: { ...clickedFilters, filters: objectIDsCount(21).map((id) => `sku:${id}`) },
      rule: pointsAt('clickedFilters', 'filters', /20/),
    },
    { name: 'both objectIDs and filters', event: { ...click, filters: ['brand:apple'] }, rule: pointsAt(undefined, 'filters') },
    { name: 'currency "EURO"', event: { ...addedToCart, currency: 'EURO' }, rule: pointsAt('addedToCartObjectIDs', 'currency', /ISO 4217/) },
    { name: 'currency "12€"', event: { ...addedToCart, currency: '12€' }, rule: pointsAt('addedToCartObjectIDs', 'currency', /ISO 4217/) },
    {
      name: 'objectData with an unknown key',
      event: { ...addedToCart, objectData: [{ price: 19.99, colour: 'red' }, { price: 5 }] },
      rule: pointsAt('addedToCartObjectIDs', 'objectData.0', /colour/),
    },
    {
      name: 'fewer objectData than objectIDs',
      event: { ...purchaseAfterSearch, objectData: [{ price: 1, queryID: QUERY_ID }] },
      rule: pointsAt('purchasedObjectIDsAfterSearch', 'objectData', /per objectID/),
    },
    {
      name: 'objectData queryID not 32 hex',
      event: {
        ...purchaseAfterSearch,
        objectData: [
          { price: 1, queryID: 'message_agent' },
          { price: 2, queryID: QUERY_ID },
        ],
      },
      rule: pointsAt('purchasedObjectIDsAfterSearch', 'objectData.0.queryID', /32/),
    },
    {
      name: 'value as a 17-character string',
      event: { ...purchaseAfterSearch, value: '12345678901234.56' },
      rule: pointsAt('purchasedObjectIDsAfterSearch', 'value', /16/),
    },
    {
      name: 'quantity 1.5',
      event: { ...addedToCart, objectData: [{ price: 1, quantity: 1.5 }, { price: 5 }] },
      rule: pointsAt('addedToCartObjectIDs', 'objectData.0.quantity', /whole/),
    },
    {
      name: 'a timestamp more than 4 days old',
      event: { ...clickAfterSearch, timestamp: Date.now() - 4 * 24 * 3_600_000 - 60_000 },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'timestamp', /4 days/),
    },
    {
      name: 'timestamp as a string',
      event: { ...clickAfterSearch, timestamp: String(NOW_ROUNDED) },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'timestamp'),
    },
    {
      name: 'an unknown top-level key',
      event: { ...clickAfterSearch, sessionId: 'abc' },
      rule: pointsAt('clickedObjectIDsAfterSearch', 'sessionId'),
    },
    { name: 'eventSubtype "refund"', event: { ...addedToCart, eventSubtype: 'refund' }, rule: pointsAt(undefined, 'eventSubtype', /addToCart/) },
    {
      name: 'a purchase after search without objectData',
      event: { ...without(purchaseAfterSearch, 'objectData'), queryID: QUERY_ID },
      rule: pointsAt('purchasedObjectIDsAfterSearch', 'objectData'),
    },
  ];

  it.each(mutations)('$name', ({ event, rule }) => {
    expect(validateEvent(event)).toEqual({ ok: false, rule: expect.stringMatching(rule) });
  });

  it('positions without queryID make a click after search, not a plain click', () => {
    expect(variantOf(without(clickAfterSearch, 'queryID'))).toBe('clickedObjectIDsAfterSearch');
  });

  it('a timestamp just under 4 days old still passes', () => {
    expect(validateEvent({ ...clickAfterSearch, timestamp: Date.now() - 4 * 24 * 3_600_000 + 60_000 })).toMatchObject({ ok: true });
  });

  it('a value that is not an object is refused', () => {
    expect(validateEvent(['click'])).toEqual({ ok: false, rule: expect.stringMatching(/object/) });
  });
});
