import { QUERY_ID_RULE, SEARCH_QUERY_ID } from '../events/schemas';
import type { Log } from '../lib/log';
import { quote } from '../lib/quote';
import { ATTR, describeElement, OBJECT_SELECTOR } from '../markup/ancestry';
import type { ConversionItem } from '../markup/conversion';
import type { ObjectMarkup } from '../markup/object';
import type { QueryIdMemory } from '../storage/query-ids';

/**
 * Only a valid queryID is known (docs/behaviour.md, Attribution). Any other (a template bug, a
 * mangled link) is reported and left out, and its event goes as if no search were known; an
 * empty one is no queryID at all.
 */
function validQueryID(queryID: string | null | undefined, report: (problem: string) => void): string | undefined {
  if (queryID && !SEARCH_QUERY_ID.test(queryID)) {
    report(`${quote(queryID)} ignored: a queryID is ${QUERY_ID_RULE}`);
    return undefined;
  }
  return queryID || undefined;
}

/** The queryID a search result's link carried onto this page, in its `param` query parameter. */
function landingQueryID(param: string, log: Log): string | undefined {
  return validQueryID(new URLSearchParams(location.search).get(param), (problem) => log.debug(`?${param}=${problem}`));
}

/**
 * The objectID of what the page is about: the page's first object in document order (the
 * product the search result linked to), read when needed so that a page rendered or
 * re-rendered later counts as it stands (docs/behaviour.md, Attribution).
 */
const landingObjectID = () => document.querySelector(OBJECT_SELECTOR)?.getAttribute(ATTR.objectId);

/** Which search each event is attributed to. */
export interface Attribution {
  /** The object's own queryID, from its markup; an invalid one is warned about, naming the element. */
  ofMarkup(object: Pick<ConversionItem, 'queryID' | 'element'>): string | undefined;
  /** Resolves once the queryIDs that earlier pages remembered are loaded. */
  loaded: Promise<void>;
  /**
   * A converted object's queryID: from its markup, else the landing page's (for what the page is
   * about only), else the remembered one.
   */
  ofConverted(object: ConversionItem, now: number): string | undefined;
  /** Remembers the search that led to these objects, for a conversion on a later page. */
  remember(objectIDs: readonly string[], index: string, queryID: string, at: number): void;
  /** Whether this page has a landing queryID (docs/behaviour.md, What the landing queryID applies to). */
  hasLanding(): boolean;
  /** What a landing page is about is remembered with the landing queryID. */
  rememberLanding(object: ObjectMarkup): void;
  /** A new page of a single-page app: the landing queryID is read again from the new URL. */
  newPage(): void;
  /** After a purchase, its objects are no longer attributed to the searches that led to them. */
  forget(objectIDs: string[]): void;
}

export function createAttribution(memory: QueryIdMemory, queryIdParam: string, log: Log): Attribution {
  let landing = landingQueryID(queryIdParam, log);
  /** The landing queryID, for what the page is about; other objects on it (related products) have their own. */
  const landingOf = (objectID: string) => (landing && objectID === landingObjectID() ? landing : undefined);
  const remember: Attribution['remember'] = (objectIDs, index, queryID, at) => {
    for (const objectID of objectIDs) memory.remember(objectID, { index, queryID, at });
  };
  // Only markup has a queryID of its own: what comes from the data layer has none to check.
  const ofMarkup: Attribution['ofMarkup'] = ({ queryID, element }) =>
    validQueryID(queryID, (problem) => element && log.warn(`${describeElement(element)}: ${ATTR.queryId} ${problem}; its events go without it`));

  return {
    ofMarkup,
    loaded: memory.loaded,
    ofConverted: (object, now) => ofMarkup(object) ?? landingOf(object.objectID) ?? memory.recall(object.objectID, object.index, now),
    remember,
    hasLanding: () => landing !== undefined,
    rememberLanding({ objectID, index }) {
      const queryID = landingOf(objectID);
      if (queryID && index) remember([objectID], index, queryID, Date.now());
    },
    newPage() {
      landing = landingQueryID(queryIdParam, log);
    },
    forget(objectIDs) {
      void memory.forget(objectIDs);
    },
  };
}
