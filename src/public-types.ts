import type { QueryTrail } from './trail';

// The types a user of the package sees, written out by hand: derived from the validation rules,
// they would show zod's internals in every hover, and make the published .d.ts import zod.
// test/unit/esm-api.test.ts keeps each of them equal to what the rules accept.

export type Consent = 'granted' | 'pending' | 'denied';

/** The options of `init()` (docs/behaviour.md, Options). */
export interface QueryTrailOptions {
  /** Algolia application ID. */
  appId: string;
  /** A search-only API key. */
  apiKey: string;
  /** Sends to `https://insights.{region}.algolia.io`. */
  region?: 'us' | 'de';
  /** The origin that receives `POST /1/events` (a first-party proxy, say); wins over `region`. */
  endpoint?: string;
  /** The anonymous user token; generated when left out. */
  userToken?: string;
  /** The signed-in user's pseudonymous ID. */
  authenticatedUserToken?: string;
  /** Keeps the anonymous token in the `_ALGOLIA` cookie. Default false. */
  useCookie?: boolean;
  /** May QueryTrail store anything. Default `granted`. */
  consent?: Consent;
  /** Sends nothing, stores nothing. Default false. */
  optOut?: boolean;
  /** The index of objects outside any `data-insights-index` container. */
  index?: string;
  /** The default ISO 4217 currency of revenue. */
  currency?: string;
  /** The URL parameter that carries a queryID onto a landing page. Default `queryID`. */
  queryIdParam?: string;
  /** Seconds a remembered queryID stays usable. Default 604800 (7 days). */
  queryIdTtl?: number;
  /** Sends view events. Default true. */
  views?: boolean;
  /** Milliseconds between regular sends while events wait. Default 5000. */
  flushInterval?: number;
  /** Logs every event and every rejected one. Default false. */
  debug?: boolean;
  clickEventName?: string;
  viewEventName?: string;
  conversionEventName?: string;
  addToCartEventName?: string;
  purchaseEventName?: string;
  filterEventName?: string;
  /** The name of a global array (usually `dataLayer`) whose GA4 `add_to_cart` and `purchase` entries become conversions. */
  dataLayer?: string;
}

interface EventFields {
  eventName: string;
  index: string;
  userToken: string;
  authenticatedUserToken?: string;
  /** Milliseconds since the epoch. */
  timestamp?: number;
}
interface Revenue {
  currency?: string;
  value?: number | string;
}
interface ObjectData {
  price?: number | string;
  quantity?: number;
  discount?: number | string;
}
interface ObjectDataAfterSearch extends ObjectData {
  queryID?: string;
}
interface OnObjects extends EventFields {
  objectIDs: string[];
}
interface OnFilters extends EventFields {
  /** `attribute:value` pairs. */
  filters: string[];
}
interface Conversion extends OnObjects, Revenue {
  eventType: 'conversion';
}

/** Each variant of an Insights event, as the Insights API describes it, by name. */
export interface EventsByVariant {
  clickedObjectIDsAfterSearch: OnObjects & { eventType: 'click'; positions: number[]; queryID: string };
  addedToCartObjectIDsAfterSearch: Conversion & { eventSubtype: 'addToCart'; queryID: string; objectData?: ObjectDataAfterSearch[] };
  purchasedObjectIDsAfterSearch: Conversion & { eventSubtype: 'purchase'; objectData: ObjectDataAfterSearch[] };
  convertedObjectIDsAfterSearch: OnObjects & { eventType: 'conversion'; queryID: string };
  clickedObjectIDs: OnObjects & { eventType: 'click' };
  purchasedObjectIDs: Conversion & { eventSubtype: 'purchase'; objectData?: ObjectData[] };
  addedToCartObjectIDs: Conversion & { eventSubtype: 'addToCart'; objectData?: ObjectData[] };
  convertedObjectIDs: OnObjects & { eventType: 'conversion' };
  clickedFilters: OnFilters & { eventType: 'click' };
  convertedFilters: OnFilters & { eventType: 'conversion' };
  viewedObjectIDs: OnObjects & { eventType: 'view' };
  viewedFilters: OnFilters & { eventType: 'view' };
  instantsearch: Omit<EventFields, 'index'> & { eventType: 'instantsearch'; agentID?: string };
}
export type Variant = keyof EventsByVariant;
/** An event QueryTrail sends: one of the API's variants. */
export type InsightsEvent = EventsByVariant[Variant];

/** What `track()` takes: an event, whose `userToken` (with `authenticatedUserToken` and `timestamp`) is filled in when left out. */
export type TrackedEvent = { [V in Variant]: Omit<EventsByVariant[V], 'userToken'> & { userToken?: string } }[Variant];

/** `validateEvent()`'s answer: the event as accepted, or the first rule it breaks. */
export type Validation = { ok: true; event: InsightsEvent; variant: Variant } | { ok: false; rule: string };

type SchemaResult<E> =
  | { readonly value: E; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/**
 * One variant's rules, in the Standard Schema form (standardschema.dev) that many validation
 * libraries and form tools read: `schema['~standard'].validate(value)`.
 */
export interface EventSchema<E> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => SchemaResult<E> | Promise<SchemaResult<E>>;
    readonly types?: { readonly input: unknown; readonly output: E } | undefined;
  };
}

/** The `detail` of `querytrail:reject`. */
export interface Rejection {
  /** The refused event; `undefined` when a conversion trigger had an invalid kind or no objects. */
  event: unknown;
  /** The rule it broke. */
  rule: string;
  /** The element it came from; `undefined` for `track()` and for events the API refused. */
  element: Element | undefined;
}

/**
 * The one-line stub a page defines before the script loads (README, Runtime API), so that calls
 * made before QueryTrail runs wait in `q`.
 */
export interface QueryTrailStub {
  <M extends keyof QueryTrail>(method: M, ...args: Parameters<QueryTrail[M]>): void;
  q?: IArguments[];
}

declare global {
  interface DocumentEventMap {
    /** An accepted event, as it was queued. */
    'querytrail:event': CustomEvent<InsightsEvent>;
    /** A refused event, with the rule it broke. */
    'querytrail:reject': CustomEvent<Rejection>;
  }
  interface Window {
    /** The script-tag build: its `init`, the running instance, and its version. */
    QueryTrail?: { init: (options: QueryTrailOptions) => QueryTrail; instance: QueryTrail; version: string };
    /** Options set before the script-tag build runs (a tag manager's way); its own attributes win. */
    querytrailConfig?: Partial<QueryTrailOptions>;
    querytrail?: QueryTrailStub;
  }
}
