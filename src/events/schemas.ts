import { check, firstProblem, integer, isRecord, list, oneOf, optional, refinement, rule, shape, text } from '../lib/rules';
import type * as z from 'zod/mini';
import { MAX_ITEMS_PER_EVENT } from './groups';

// The event variants of Algolia's OpenAPI description of the Insights API
// (reference/insights-openapi.json). Each variant is a strict shape so that an event
// matches exactly one of them, and the checks the API documents in its 422 answers and
// field descriptions (same number of positions and objectData as objectIDs) are added.

/** The API's user token rule: its 422 answer says 1 to 128 characters of this set. */
const USER_TOKEN = /^[\w=/+-]{1,128}$/;
export const USER_TOKEN_RULE = '1 to 128 characters of a-z A-Z 0-9 _ = / + -';
/** A search queryID as returned by Algolia. */
export const SEARCH_QUERY_ID = /^[0-9a-f]{32}$/;
export const QUERY_ID_RULE = '32 lowercase hexadecimal characters';

/** Whether a token would pass the API's pattern: for tokens that come from outside an event. */
export const isValidToken = (token: unknown): token is string => typeof token === 'string' && USER_TOKEN.test(token);

/** The API's number-or-string fields (price, discount, value). */
const amount = (maxText: number, message: string) =>
  rule<number | string>(
    (input) => (typeof input === 'number' && Number.isFinite(input)) || (typeof input === 'string' && input.length <= maxText),
    message,
  );

// Messages follow the path of the field they are about (`eventName: must be …`), and options
// that take the same values reuse these fields (`clickEventName must be …`).
export const EVENT_NAME = text(/^[\x20-\x7E]{1,64}$/, 'must be 1 to 64 visible ASCII characters');
export const TOKEN = text(USER_TOKEN, `must be ${USER_TOKEN_RULE}`);
export const CURRENCY = text(/^[A-Za-z]{3}$/, 'must be a three-letter ISO 4217 code');
export const NOT_EMPTY = text(/./, 'must not be empty');
// The API also takes `message_…` IDs, those of agentic analytics events (128 characters at most).
const queryID = text(/^([0-9a-f]{32}|message_[!-~]{1,120})$/, `must be ${QUERY_ID_RULE}`);
const objectIDs = list(NOT_EMPTY, MAX_ITEMS_PER_EVENT);
const filters = list(text(/^[^:]+:./, 'must be "attribute:value"'), MAX_ITEMS_PER_EVENT);
const positions = list(integer('must be a whole number from 1', 1), MAX_ITEMS_PER_EVENT);
const price = optional(amount(Infinity, 'must be a number or a string'));
const quantity = optional(integer('must be a whole number (32-bit)', -(2 ** 31), 2 ** 31 - 1));
const timestamp = optional(integer('must be a whole number of milliseconds'));

const common = {
  eventName: EVENT_NAME,
  index: NOT_EMPTY,
  userToken: TOKEN,
  authenticatedUserToken: optional(TOKEN),
  timestamp,
};
const revenue = {
  currency: optional(CURRENCY),
  value: optional(amount(16, 'must be a number or a string of at most 16 characters')),
};
const objectData = shape({ price, quantity, discount: price });
const objectDataAfterSearch = shape({
  queryID: optional(text(SEARCH_QUERY_ID, `must be ${QUERY_ID_RULE}`)),
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
  refinement<{ objectIDs?: unknown[]; positions?: unknown[]; objectData?: unknown[] }>(
    (lists) => lists[field]?.length === undefined || lists[field]?.length === lists.objectIDs?.length,
    `${field} must hold one entry per objectID`,
  );

/** Add-to-cart and purchase events: the same revenue fields, checked the same way. */
const withRevenue = <S extends Parameters<typeof shape>[0]>(fields: S) =>
  shape({ ...common, ...revenue, eventType: conversion, objectIDs, ...fields }, sameLength('objectData'));

export const variants = {
  clickedObjectIDsAfterSearch: shape({ ...common, eventType: click, objectIDs, positions, queryID }, sameLength('positions')),
  addedToCartObjectIDsAfterSearch: withRevenue({
    eventSubtype: addToCart,
    queryID,
    objectData: optional(list(objectDataAfterSearch, MAX_ITEMS_PER_EVENT)),
  }),
  purchasedObjectIDsAfterSearch: withRevenue({ eventSubtype: purchase, objectData: list(objectDataAfterSearch, MAX_ITEMS_PER_EVENT) }),
  convertedObjectIDsAfterSearch: shape({ ...common, eventType: conversion, objectIDs, queryID }),
  clickedObjectIDs: shape({ ...common, eventType: click, objectIDs }),
  purchasedObjectIDs: withRevenue({ eventSubtype: purchase, objectData: optional(list(objectData, MAX_ITEMS_PER_EVENT)) }),
  addedToCartObjectIDs: withRevenue({ eventSubtype: addToCart, objectData: optional(list(objectData, MAX_ITEMS_PER_EVENT)) }),
  convertedObjectIDs: shape({ ...common, eventType: conversion, objectIDs }),
  clickedFilters: shape({ ...common, eventType: click, filters }),
  convertedFilters: shape({ ...common, eventType: conversion, filters }),
  viewedObjectIDs: shape({ ...common, eventType: view, objectIDs }),
  viewedFilters: shape({ ...common, eventType: view, filters }),
  instantsearch: shape({
    eventName: EVENT_NAME,
    eventType: is('instantsearch'),
    userToken: TOKEN,
    authenticatedUserToken: optional(TOKEN),
    timestamp,
    agentID: optional(NOT_EMPTY),
  }),
};

export type Variant = keyof typeof variants;
export type InsightsEvent = z.core.output<(typeof variants)[Variant]>;
export type EventOf<V extends Variant> = z.core.output<(typeof variants)[V]>;

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

/** The API refuses events older than 4 days, and the whole batch with them. */
const MAX_EVENT_AGE_MS = 4 * 24 * 60 * 60 * 1000;

/** Whether the API would refuse the event as too old at `now` (one without a timestamp is stamped on arrival). */
export const isTooOld = (event: { timestamp?: number | undefined }, now = Date.now()) => now - (event.timestamp ?? now) > MAX_EVENT_AGE_MS;

/** Checks an event against the official rules at `now`; `rule` names the first one it breaks. */
export function validateEvent(input: unknown, now = Date.now()): Validation {
  if (!isRecord(input)) return { ok: false, rule: 'an event must be an object' };
  const variant = variantOf(input);
  if (!(variant in variants)) return { ok: false, rule: variant };
  const result = check(variants[variant as Variant], input);
  if (result.issues) return { ok: false, rule: `${variant}: ${firstProblem(result.issues)}` };
  if (isTooOld(result.value, now)) return { ok: false, rule: `${variant}: timestamp: more than 4 days old, the API refuses it` };
  return { ok: true, event: result.value, variant: variant as Variant };
}
