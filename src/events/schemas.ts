import { firstProblem, oneOf, rule, text, whole } from '../lib/rules';
import { z } from '../lib/zod';

// Zod versions of the event variants in Algolia's OpenAPI description of the Insights API
// (reference/insights-openapi.json). Each variant is a strict object so that an event
// matches exactly one of them, and the checks the API documents in its 422 answers and
// field descriptions (same number of positions and objectData as objectIDs) are added.

/** The API's user token rule: its 422 answer says 1 to 128 characters of this set. */
export const USER_TOKEN = /^[\w=/+-]{1,128}$/;
export const USER_TOKEN_RULE = '1 to 128 characters of a-z A-Z 0-9 _ = / + -';
/** A search queryID as returned by Algolia: 32 lowercase hexadecimal characters. */
export const SEARCH_QUERY_ID = /^[0-9a-f]{32}$/;

/** The API's number-or-string fields (price, discount, value). */
const amount = (maxText: number, message: string) =>
  rule<number | string>((input) => (typeof input === 'number' && Number.isFinite(input)) || (typeof input === 'string' && input.length <= maxText), message);
const list = <T extends z.ZodMiniType>(item: T, name: string) =>
  z.array(item).check(z.refine((items: unknown[]) => items.length > 0 && items.length <= 20, `${name} must hold 1 to 20 items`));

const eventName = text(/^[\x20-\x7E]{1,64}$/, 'eventName must be 1 to 64 visible ASCII characters');
const userToken = text(USER_TOKEN, `userToken must be ${USER_TOKEN_RULE}`);
const authenticatedUserToken = z.optional(text(USER_TOKEN, `authenticatedUserToken must be ${USER_TOKEN_RULE}`));
const queryID = text(/^([0-9a-f]{32}|message_[!-~]{1,120})$/, 'queryID must be 32 lowercase hexadecimal characters');
const objectIDs = list(text(/./, 'objectIDs must not hold an empty objectID'), 'objectIDs');
const filters = list(text(/^[^:]+:./, 'each filter must be "attribute:value"'), 'filters');
const positions = list(whole('positions must be whole numbers from 1', 1), 'positions');
const price = z.optional(amount(Infinity, 'price and discount must be numbers or strings'));
const quantity = z.optional(whole('quantity must be a whole number (32-bit)', -(2 ** 31), 2 ** 31 - 1));
const timestamp = z.optional(whole('timestamp must be a whole number of milliseconds'));

const common = {
  eventName,
  index: text(/./, 'index must not be empty'),
  userToken,
  authenticatedUserToken,
  timestamp,
};
const revenue = {
  currency: z.optional(text(/^[A-Za-z]{3}$/, 'currency must be a three-letter ISO 4217 code')),
  value: z.optional(amount(16, 'value must be a number or a string of at most 16 characters')),
};
const objectData = z.strictObject({ price, quantity, discount: price });
const objectDataAfterSearch = z.strictObject({
  queryID: z.optional(text(SEARCH_QUERY_ID, 'objectData queryID must be 32 lowercase hexadecimal characters')),
  price,
  quantity,
  discount: price,
});

const is = <L extends string>(literal: L) => oneOf([literal], `must be "${literal}"`);
const click = is('click');
const conversion = is('conversion');
const view = is('view');
const addToCart = is('addToCart');
const purchase = is('purchase');

const sameLength = (field: 'positions' | 'objectData') =>
  z.refine<object>((event) => {
    const lists = event as { objectIDs?: unknown[]; positions?: unknown[]; objectData?: unknown[] };
    return lists[field]?.length === undefined || lists[field]?.length === lists.objectIDs?.length;
  }, `${field} must hold one entry per objectID`);

/** Add-to-cart and purchase events: the same revenue fields, checked the same way. */
const withRevenue = <S extends z.core.$ZodShape>(shape: S) =>
  z.strictObject({ ...common, ...revenue, eventType: conversion, objectIDs, ...shape }).check(sameLength('objectData'));

export const variants = {
  clickedObjectIDsAfterSearch: z
    .strictObject({ ...common, eventType: click, objectIDs, positions, queryID })
    .check(sameLength('positions')),
  addedToCartObjectIDsAfterSearch: withRevenue({
    eventSubtype: addToCart,
    queryID,
    objectData: z.optional(list(objectDataAfterSearch, 'objectData')),
  }),
  purchasedObjectIDsAfterSearch: withRevenue({ eventSubtype: purchase, objectData: list(objectDataAfterSearch, 'objectData') }),
  convertedObjectIDsAfterSearch: z.strictObject({ ...common, eventType: conversion, objectIDs, queryID }),
  clickedObjectIDs: z.strictObject({ ...common, eventType: click, objectIDs }),
  purchasedObjectIDs: withRevenue({ eventSubtype: purchase, objectData: z.optional(list(objectData, 'objectData')) }),
  addedToCartObjectIDs: withRevenue({ eventSubtype: addToCart, objectData: z.optional(list(objectData, 'objectData')) }),
  convertedObjectIDs: z.strictObject({ ...common, eventType: conversion, objectIDs }),
  clickedFilters: z.strictObject({ ...common, eventType: click, filters }),
  convertedFilters: z.strictObject({ ...common, eventType: conversion, filters }),
  viewedObjectIDs: z.strictObject({ ...common, eventType: view, objectIDs }),
  viewedFilters: z.strictObject({ ...common, eventType: view, filters }),
  instantsearch: z.strictObject({
    eventName,
    eventType: is('instantsearch'),
    userToken,
    authenticatedUserToken,
    timestamp,
    agentID: z.optional(text(/./, 'agentID must not be empty')),
  }),
};

export type Variant = keyof typeof variants;
export type InsightsEvent = z.infer<(typeof variants)[Variant]>;
export type EventOf<V extends Variant> = z.infer<(typeof variants)[V]>;

const isRecord = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

/**
 * The variant an event claims to be, from the fields the API tells them apart by
 * (eventType, eventSubtype, filters or objectIDs, queryID). Choosing one variant first
 * turns a failed union into the one rule that event breaks.
 */
export function variantOf(event: Record<string, unknown>): Variant | string {
  const { eventType, eventSubtype } = event;
  const onFilters = 'filters' in event && !('objectIDs' in event);
  const afterSearch =
    'queryID' in event ||
    'positions' in event ||
    (Array.isArray(event.objectData) && event.objectData.some((data) => isRecord(data) && 'queryID' in data));
  switch (eventType) {
    case 'click':
      return onFilters ? 'clickedFilters' : afterSearch ? 'clickedObjectIDsAfterSearch' : 'clickedObjectIDs';
    case 'view':
      return onFilters ? 'viewedFilters' : 'viewedObjectIDs';
    case 'instantsearch':
      return 'instantsearch';
    case 'conversion':
      if (eventSubtype === 'addToCart') return afterSearch ? 'addedToCartObjectIDsAfterSearch' : 'addedToCartObjectIDs';
      if (eventSubtype === 'purchase') return afterSearch ? 'purchasedObjectIDsAfterSearch' : 'purchasedObjectIDs';
      if (eventSubtype !== undefined) return 'eventSubtype must be "addToCart" or "purchase"';
      return onFilters ? 'convertedFilters' : afterSearch ? 'convertedObjectIDsAfterSearch' : 'convertedObjectIDs';
    default:
      return 'eventType must be "click", "conversion", "view" or "instantsearch"';
  }
}

export type Validation = { ok: true; event: InsightsEvent; variant: Variant } | { ok: false; rule: string };

/** SPEC §7: the API refuses events older than 4 days, and the whole batch with them. */
export const MAX_EVENT_AGE_MS = 4 * 24 * 60 * 60 * 1000;

/** Whether the API would refuse the event as too old at `now` (one without a timestamp is stamped on arrival). */
export const isTooOld = (event: { timestamp?: number | undefined }, now = Date.now()) => now - (event.timestamp ?? now) > MAX_EVENT_AGE_MS;

/** Checks an event against the official rules at `now`; `rule` names the first one it breaks. */
export function validateEvent(input: unknown, now = Date.now()): Validation {
  if (!isRecord(input)) return { ok: false, rule: 'an event must be an object' };
  const variant = variantOf(input);
  if (!(variant in variants)) return { ok: false, rule: variant };
  const result = variants[variant as Variant].safeParse(input);
  if (result.success && isTooOld(result.data, now)) {
    return { ok: false, rule: `${variant}: timestamp: more than 4 days old, the API refuses it` };
  }
  if (result.success) return { ok: true, event: result.data, variant: variant as Variant };
  return { ok: false, rule: `${variant}: ${firstProblem(result.error)}` };
}
