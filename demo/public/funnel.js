// What the inspector shows, as pure functions: the search → click → add-to-cart → purchase funnel
// per queryID. Which variant each event is comes with it from the collector, as QueryTrail names it.
// Runs in the browser and in tests.

/** @typedef {{ queryID: string, query: string, brand?: string, category?: string, page: number, nbHits: number, at: number }} IssuedSearch */
/** @typedef {import('../../tools/collector.mjs').ReceivedEvent} ReceivedEvent */
/** @typedef {'click' | 'addToCart' | 'purchase'} FunnelStep */
/** @typedef {{ objectIDs: string[], positions?: number[], at: number }} StepHit */
/**
 * @typedef {object} Funnel
 * @property {string} queryID
 * @property {IssuedSearch | undefined} search undefined when this store's search never returned the queryID
 * @property {Record<FunnelStep, StepHit[]>} steps
 * @property {number} lastActivity
 */

export const FUNNEL_STEPS = /** @type {const} */ (['click', 'addToCart', 'purchase']);

/** @param {Record<string, unknown>} event @returns {(string | undefined)[]} one per objectID */
function purchaseQueryIDs(event) {
  const objectData = Array.isArray(event.objectData) ? event.objectData : [];
  return objectData.map((data) => (typeof data?.queryID === 'string' ? data.queryID : undefined));
}

/** @type {Record<string, FunnelStep>} */
const STEP_OF_VARIANT = {
  clickedObjectIDsAfterSearch: 'click',
  addedToCartObjectIDsAfterSearch: 'addToCart',
  purchasedObjectIDsAfterSearch: 'purchase',
};

/**
 * The objectIDs an event attributes to each queryID: the top-level queryID covers all of them,
 * a purchase's `objectData[i].queryID` covers objectID i.
 * @param {Record<string, unknown>} event
 * @returns {Map<string, StepHit>}
 */
function hitsByQueryID(event, at) {
  const objectIDs = Array.isArray(event.objectIDs) ? event.objectIDs.map(String) : [];
  const hits = new Map();
  if (typeof event.queryID === 'string') {
    const positions = Array.isArray(event.positions) ? event.positions.map(Number) : undefined;
    hits.set(event.queryID, { objectIDs, ...(positions ? { positions } : {}), at });
    return hits;
  }
  purchaseQueryIDs(event).forEach((queryID, i) => {
    if (queryID === undefined || objectIDs[i] === undefined) return;
    const hit = hits.get(queryID) ?? { objectIDs: [], at };
    hit.objectIDs.push(objectIDs[i]);
    hits.set(queryID, hit);
  });
  return hits;
}

/** What Algolia would record: the collector answered the event's request with a 2xx. */
export const wasAccepted = (/** @type {ReceivedEvent} */ record) => record.status !== null && record.status >= 200 && record.status < 300;

/**
 * One funnel per queryID searched since `since` or named by an accepted event, most recent activity first.
 * @param {{ searches: Map<string, IssuedSearch>, received: ReceivedEvent[], since: number }} state
 * @returns {Funnel[]}
 */
export function buildFunnels({ searches, received, since }) {
  /** @type {Map<string, Funnel>} */
  const funnels = new Map();
  const funnelFor = (/** @type {string} */ queryID) => {
    let funnel = funnels.get(queryID);
    if (!funnel) {
      const search = searches.get(queryID);
      funnel = { queryID, search, steps: { click: [], addToCart: [], purchase: [] }, lastActivity: search?.at ?? 0 };
      funnels.set(queryID, funnel);
    }
    return funnel;
  };
  for (const search of searches.values()) if (search.at >= since) funnelFor(search.queryID);
  for (const record of received) {
    const step = STEP_OF_VARIANT[record.variant ?? ''];
    if (!step || !wasAccepted(record)) continue;
    for (const [queryID, hit] of hitsByQueryID(/** @type {Record<string, unknown>} */ (record.event), record.at)) {
      const funnel = funnelFor(queryID);
      funnel.steps[step].push(hit);
      funnel.lastActivity = Math.max(funnel.lastActivity, record.at);
    }
  }
  return [...funnels.values()].sort((a, b) => b.lastActivity - a.lastActivity);
}

/** @param {Funnel} funnel */
export const isComplete = (funnel) => funnel.search !== undefined && FUNNEL_STEPS.every((step) => funnel.steps[step].length > 0);
