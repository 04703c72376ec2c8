import { EVENT_NAME_OPTION } from '../conversions';
import { filterClicks, objectClick, type WhoAndWhen } from '../events/build';
import { conversionEvents } from '../events/conversions';
import { SEARCH_QUERY_ID, validateEvent, type Variant } from '../events/schemas';
import type { Log } from '../lib/log';
import { ATTR, ancestryOf, CONTAINER_ATTRS, eventNameOf, nearest, OBJECT_SELECTOR, type Ancestry } from '../markup/ancestry';
import { readConversion, type ConversionKind, type ItemMarkup } from '../markup/conversion';
import { parseFilters } from '../markup/filters';
import { positionOf, readObject } from '../markup/object';
import { convertsOnLoad, isIgnored } from '../markup/target';
import type { Options } from '../options';
import { createAttribution, type Attribution } from '../session/attribution';
import { createQueryIdMemory, type RememberedQuery } from '../storage/query-ids';

/**
 * What the audit knows besides the markup: the options QueryTrail runs with, the queryIDs earlier
 * pages remembered (as stored), the user token, and the time.
 */
export interface AuditContext {
  options: Options;
  remembered: ReadonlyMap<string, RememberedQuery>;
  userToken: string;
  now: number;
}

/** An event QueryTrail would send, or why it would refuse it. */
export type Outcome = { sent: true; variant: Variant } | { sent: false; rule: string };

/** How an object outline is coloured: complete (green), no queryID (amber), its click rejected (red), or in an ignore zone. */
export type ObjectStatus = 'complete' | 'no-query-id' | 'rejected' | 'ignored';

export interface ObjectExplanation {
  objectID: string;
  index: string | undefined;
  /** The object's own valid queryID, which its click carries; a malformed one is none. */
  queryID: string | undefined;
  /** The absolute position a click after search carries (NaN where the markup makes none). */
  position: number;
  eventName: string;
  click: Outcome;
  status: ObjectStatus;
}

export interface ContainerExplanation {
  index: string | undefined;
  queryID: string | undefined;
  page: string | undefined;
  hitsPerPage: string | undefined;
}

export interface FilterExplanation {
  /** The `attribute:value` pairs as they are sent, each encoded once. */
  filters: string[];
  index: string | undefined;
  eventName: string;
  click: Outcome[];
}

/** Where a converted object's queryID comes from (docs/behaviour.md, Attribution), or why it has none. */
export type QueryIdSource =
  | { source: 'markup'; queryID: string }
  | { source: 'landing'; queryID: string }
  | { source: 'remembered'; queryID: string; ageMs: number }
  | { source: 'none'; reason: string };

export interface ConvertedItem {
  element: Element;
  objectID: string;
  index: string | undefined;
  queryID: QueryIdSource;
}

export interface ConversionExplanation {
  /** Undefined where `data-insights-conversion` has a value QueryTrail does not know. */
  kind: ConversionKind | undefined;
  /** Converts once when on the page (`data-insights-on="load"`), not on a click. */
  onLoad: boolean;
  eventName: string;
  items: ConvertedItem[];
  value: number | undefined;
  currency: string | undefined;
  orderId: string | undefined;
  /** Each event the conversion makes, or the one reason it makes none. */
  events: Outcome[];
  /** Why revenue is left out, where it is. */
  notes: string[];
}

/** Everything QueryTrail resolves for one element, as the audit shows it. */
export interface Explanation {
  element: Element;
  /** Inside a `data-insights-ignore` zone: interactions there send nothing. */
  ignored: boolean;
  object?: ObjectExplanation;
  container?: ContainerExplanation;
  filter?: FilterExplanation;
  conversion?: ConversionExplanation;
}

/** A log that keeps what it is told, so that the audit can show it instead of the console. */
function collectingLog(into: string[]): Log {
  const keep = (...details: unknown[]) => void into.push(details.map(String).join(' '));
  return { debug: keep, warn: keep, error: keep };
}

const outcomeOf = (event: unknown, now: number): Outcome => {
  const result = validateEvent(event, now);
  return result.ok ? { sent: true, variant: result.variant } : { sent: false, rule: result.rule };
};

/**
 * The attribution QueryTrail uses, over the remembered queryIDs as stored. `withMemory` false
 * leaves memory out, to tell a landing queryID from a remembered one.
 */
function attributionOf(context: AuditContext, withMemory: boolean, log: Log): Attribution {
  const memory = createQueryIdMemory({ ttlMs: context.options.queryIdTtl * 1000, persistent: false });
  if (withMemory) for (const [objectID, entry] of context.remembered) memory.remember(objectID, entry);
  return createAttribution(memory, context.options.queryIdParam, log);
}

/** Why an object of a conversion has no queryID: what each source lacks, in the order QueryTrail looks. */
function noQueryIdReason(item: ItemMarkup, context: AuditContext, markupProblems: string[]): string {
  const { options, remembered, now } = context;
  const markup = markupProblems.length ? `a malformed ${ATTR.queryId}` : `no ${ATTR.queryId}`;
  const landingValue = new URLSearchParams(location.search).get(options.queryIdParam);
  const aboutObjectID = document.querySelector(OBJECT_SELECTOR)?.getAttribute(ATTR.objectId);
  const landing = !landingValue
    ? `no ?${options.queryIdParam}= in the page URL`
    : !SEARCH_QUERY_ID.test(landingValue)
      ? `a malformed ?${options.queryIdParam}= in the page URL`
      : `the landing queryID belongs to ${aboutObjectID}, what the page is about`;
  const entry = remembered.get(item.objectID);
  const memory = !entry
    ? 'nothing remembered for it'
    : entry.index !== item.index
      ? `remembered for index ${entry.index}, not ${item.index}`
      : `remembered ${Math.round((now - entry.at) / 60_000)} min ago, past queryIdTtl`;
  return `${markup}; ${landing}; ${memory}`;
}

/** The queryID a conversion gives the object, and where it comes from (docs/behaviour.md, Attribution). */
export function queryIdSourceOf(item: ItemMarkup, context: AuditContext): QueryIdSource {
  const problems: string[] = [];
  const log = collectingLog(problems);
  const markup = attributionOf(context, false, log).ofMarkup(item);
  if (markup) return { source: 'markup', queryID: markup };
  const landing = attributionOf(context, false, collectingLog([])).ofConverted(item, context.now);
  if (landing) return { source: 'landing', queryID: landing };
  const remembered = attributionOf(context, true, collectingLog([])).ofConverted(item, context.now);
  const entry = context.remembered.get(item.objectID);
  if (remembered && entry) return { source: 'remembered', queryID: remembered, ageMs: context.now - entry.at };
  return { source: 'none', reason: noQueryIdReason(item, context, problems) };
}

function explainObject(ancestry: Ancestry, context: AuditContext, who: WhoAndWhen): ObjectExplanation {
  const markup = readObject(ancestry, context.options.index);
  const queryID = attributionOf(context, false, collectingLog([])).ofMarkup(markup);
  const position = positionOf(ancestry);
  const eventName = eventNameOf(ancestry, context.options.clickEventName);
  const click = outcomeOf(objectClick({ ...markup, queryID, position: queryID ? position : undefined }, eventName, who), context.now);
  const status = isIgnored(ancestry) ? 'ignored' : !click.sent ? 'rejected' : queryID ? 'complete' : 'no-query-id';
  return { objectID: markup.objectID, index: markup.index, queryID, position, eventName, click, status };
}

function explainFilter(ancestry: Ancestry, context: AuditContext, who: WhoAndWhen): FilterExplanation {
  const filters = parseFilters((ancestry[0] as Element).getAttribute(ATTR.filter) ?? '');
  const index = nearest(ancestry, ATTR.index) ?? context.options.index;
  const eventName = eventNameOf(ancestry, context.options.filterEventName);
  return { filters, index, eventName, click: filterClicks(filters, index, eventName, who).map((event) => outcomeOf(event, context.now)) };
}

function explainConversion(ancestry: Ancestry, context: AuditContext, who: WhoAndWhen): ConversionExplanation {
  const { options, now } = context;
  const element = ancestry[0] as Element;
  const markup = readConversion(ancestry, options);
  const items = markup.items.map((item) => ({ ...item, source: queryIdSourceOf(item, context) }));
  const eventName = markup.eventName ?? options[EVENT_NAME_OPTION[markup.kind ?? 'plain']];
  const notes: string[] = [];
  let events: Outcome[];
  if (!markup.kind) events = [{ sent: false, rule: `${ATTR.conversion} must be "", "addToCart" or "purchase"` }];
  else if (!items.length) events = [{ sent: false, rule: `no object to convert: ${ATTR.items} matches none, and there is none inside or around` }];
  else {
    const resolved = items.map((item) => ({ ...item, queryID: item.source.source === 'none' ? undefined : item.source.queryID }));
    const drafts = conversionEvents(markup.kind, resolved, markup.value, markup.currency, eventName, who, (why) => notes.push(why));
    events = drafts.map((draft) => outcomeOf(draft, now));
  }
  return {
    kind: markup.kind,
    onLoad: convertsOnLoad(element),
    eventName,
    items: items.map(({ element: item, objectID, index, source }) => ({ element: item as Element, objectID, index, queryID: source })),
    value: markup.value,
    currency: markup.currency,
    orderId: markup.orderId,
    events,
    notes,
  };
}

/** A container's values as its markup gives them (docs/behaviour.md, Markup). */
function explainContainer(ancestry: Ancestry): ContainerExplanation {
  return {
    index: nearest(ancestry, ATTR.index),
    queryID: nearest(ancestry, ATTR.queryId),
    page: nearest(ancestry, ATTR.page),
    hitsPerPage: nearest(ancestry, ATTR.hitsPerPage),
  };
}

/** Whether the element describes a result set (index, queryID or paging) for the objects inside it, and is no object itself. */
export const isContainer = (element: Element) => !element.hasAttribute(ATTR.objectId) && CONTAINER_ATTRS.some((attr) => element.hasAttribute(attr));

/**
 * What QueryTrail resolves for `element`, reusing the very functions it runs with: the object a
 * click on it would report, the container it labels, its filters, the conversion it triggers.
 */
export function explain(element: Element, context: AuditContext): Explanation {
  const ancestry = ancestryOf(element);
  const who: WhoAndWhen = { userToken: context.userToken, authenticatedUserToken: undefined, timestamp: context.now };
  return {
    element,
    ignored: isIgnored(ancestry),
    ...(element.hasAttribute(ATTR.objectId) && { object: explainObject(ancestry, context, who) }),
    ...(isContainer(element) && { container: explainContainer(ancestry) }),
    ...(element.hasAttribute(ATTR.filter) && { filter: explainFilter(ancestry, context, who) }),
    ...(element.hasAttribute(ATTR.conversion) && { conversion: explainConversion(ancestry, context, who) }),
  };
}
