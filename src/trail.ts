import { filterClicks, objectClick, viewEvents, withoutUndefined, type WhoAndWhen } from './events/build';
import { isValidToken, SEARCH_QUERY_ID, USER_TOKEN_RULE, validateEvent, type InsightsEvent } from './events/schemas';
import { followDom } from './capture/dom';
import { listenForInteractions } from './capture/interactions';
import { watchViews } from './capture/views';
import { conversionEvents } from './events/conversions';
import { createOutbox } from './delivery/outbox';
import { createSender } from './delivery/sender';
import { eventsUrl } from './delivery/transport';
import { announce } from './lib/announce';
import { firstProblem, safeParse } from './lib/rules';
import { removeCookie, writeCookie } from './lib/cookie';
import { createLog, withoutThrowing } from './lib/log';
import { onPageExit } from './lib/page-exit';
import { quote } from './lib/quote';
import { ATTR, describeElement, ancestryOf, nearest, type Ancestry } from './markup/ancestry';
import { readConversion } from './markup/conversion';
import { parseFilters } from './markup/filters';
import { positionOf, readObject, type ObjectMarkup } from './markup/object';
import { clickTargetOf, convertsOnSubmit, isIgnored } from './markup/target';
import { resolveUserToken, TOKEN_COOKIE, TOKEN_COOKIE_MAX_AGE, type TokenSource } from './session/identity';
import { createQueryIdMemory } from './storage/query-ids';
import { CONSENT, parseOptions, type Consent, type Options } from './options';

/** The running QueryTrail (SPEC §8). */
export interface QueryTrail {
  /** Sends every waiting event now. */
  flush(): Promise<void>;
  setUserToken(token: string): void;
  setAuthenticatedUserToken(token: string | undefined): void;
  getUserToken(): string | undefined;
  setConsent(consent: Consent): void;
  setOptOut(optOut: boolean): void;
  /** A hand-built event through the same validation and delivery; true when accepted. */
  track(event: Record<string, unknown>): boolean;
  /** Removes every listener and timer; waiting events are sent first. */
  destroy(): void;
}

/** What an instance is when its options are invalid: it does nothing, and says so once. */
const inert = (): QueryTrail => ({
  async flush() {},
  setUserToken() {},
  setAuthenticatedUserToken() {},
  getUserToken: () => undefined,
  setConsent() {},
  setOptOut() {},
  track: () => false,
  destroy() {},
});

export function init(input: unknown): QueryTrail {
  try {
    const parsed = parseOptions(input);
    if (parsed.ok) return start(parsed.options);
    console.error(`QueryTrail stays inactive: ${parsed.problems.join('; ')}.`);
  } catch (error) {
    console.error('QueryTrail: could not start:', error);
  }
  return inert();
}

function start(options: Options): QueryTrail {
  const log = createLog(options.debug || location.href.includes('querytrail-debug'));
  let { consent, optOut, authenticatedUserToken } = options;
  let destroyed = false;
  // Where a token comes from (a method, search-insights, the cookie), and that it is not used.
  const tokenProblem = (from: string, token: unknown) =>
    log.error(`${from}: ${quote(token)} is not a valid user token (${USER_TOKEN_RULE}), not used`);
  let identity: { token: string; source: TokenSource } = resolveUserToken(options.userToken, tokenProblem);
  log.debug(`user token from ${identity.source}: ${identity.token}`);

  const mayStore = () => consent === 'granted' && !optOut;
  const inactive = () => optOut || destroyed;
  const keepAnonymousToken = () => {
    const anonymous = identity.source === 'generated' || identity.source === 'cookie';
    if (options.useCookie && mayStore() && anonymous) writeCookie(TOKEN_COOKIE, identity.token, TOKEN_COOKIE_MAX_AGE);
  };
  keepAnonymousToken();

  const memory = createQueryIdMemory({
    ttlMs: options.queryIdTtl * 1000,
    persistent: mayStore(),
    onStorageProblem: log.debug,
  });

  const reject = (event: unknown, rule: string, element?: Element) => {
    const origin = element ? ` from ${describeElement(element)}` : '';
    log.warn(`event${origin} not sent: ${rule}`, event);
    announce('querytrail:reject', { event, rule, element });
  };

  const outbox = createOutbox({
    persistent: mayStore(),
    onStorageProblem: log.debug,
    onExpired: (count) => log.debug(`${count} events dropped: more than 4 days old`),
  });
  const delivery = createSender({
    url: eventsUrl(options.endpoint, options.appId, options.apiKey),
    flushInterval: options.flushInterval,
    log,
    outbox,
    onRefused: (event, status) => reject(event, `the Insights API refused it (${status})`),
  });

  const applyStorageConsent = () => {
    memory.setPersistent(mayStore());
    outbox.setPersistent(mayStore());
    keepAnonymousToken();
  };
  const forgetEverything = () => {
    delivery.clear();
    void memory.clear();
    if (options.useCookie) removeCookie(TOKEN_COOKIE);
  };

  const emit = (event: object, element?: Element): InsightsEvent | undefined => {
    const result = validateEvent(event);
    if (!result.ok) return void reject(event, result.rule, element);
    log.debug('event', result.event);
    // Queued before the page hears of it, so that a listener's setOptOut(true) drops it with the rest.
    delivery.enqueue(result.event);
    announce('querytrail:event', result.event);
    return result.event;
  };

  const remember = (objectIDs: readonly string[], index: string, queryID: string, at: number) => {
    for (const objectID of objectIDs) memory.remember(objectID, { index, queryID, at });
  };

  /**
   * SPEC §3: only a valid queryID is known. Any other (a template bug, a mangled link) is left
   * out and reported, and its event goes without it, as if no search were known; an empty one
   * is no queryID at all.
   */
  const knownQueryID = (queryID: string | null | undefined, report: (problem: string) => void) => {
    if (queryID && !SEARCH_QUERY_ID.test(queryID)) report(`${quote(queryID)} ignored: a queryID is 32 lowercase hexadecimal characters`);
    else return queryID || undefined;
  };
  const landingQueryID = knownQueryID(new URLSearchParams(location.search).get(options.queryIdParam), (problem) => log.debug(`?${options.queryIdParam}=${problem}`));
  const markupQueryID = ({ queryID, element }: ObjectMarkup) =>
    knownQueryID(queryID, (problem) => log.warn(`${describeElement(element)}: ${ATTR.queryId} ${problem}; its events go without it`));

  const whoAndWhen = (timestamp: number): WhoAndWhen => ({ userToken: identity.token, authenticatedUserToken, timestamp });
  const eventNameFor = (path: Ancestry, fallback: string) => nearest(path, ATTR.eventName) ?? fallback;

  const clickObject = (object: Ancestry, path: Ancestry, stamp: WhoAndWhen) => {
    const markup = readObject(object, options.index);
    const event = emit(
      objectClick({ ...markup, queryID: markupQueryID(markup), position: () => positionOf(object) }, eventNameFor(path, options.clickEventName), stamp),
      markup.element,
    );
    if (event && 'queryID' in event) remember(event.objectIDs, event.index, event.queryID, stamp.timestamp);
  };

  const clickFilter = (filter: Ancestry, path: Ancestry, stamp: WhoAndWhen) => {
    const element = filter[0] as Element;
    const filters = parseFilters(element.getAttribute(ATTR.filter) ?? '');
    const index = nearest(filter, ATTR.index) ?? options.index;
    for (const event of filterClicks(filters, index, eventNameFor(path, options.filterEventName), stamp)) emit(event, element);
  };

  const convert = async (trigger: Ancestry, stamp: WhoAndWhen) => {
    const element = trigger[0] as Element;
    const { kind, items, value, currency } = readConversion(trigger, options);
    if (!kind) return reject(undefined, `${ATTR.conversion} must be "", "addToCart" or "purchase"`, element);
    if (!items.length) return reject(undefined, `no object to convert: nothing matches ${ATTR.items}, and no ${ATTR.objectId} inside or around the trigger`, element);
    // Resolved at once once the stored queryIDs are loaded (moments after start), so that the
    // event is queued in the same task as the click or submit, before any navigation.
    await memory.loaded;
    const resolved = items.map((item) => ({
      ...item,
      queryID: markupQueryID(item) ?? landingQueryID ?? memory.recall(item.objectID, item.index, stamp.timestamp),
    }));
    if (inactive()) return;
    const eventName = eventNameFor(trigger, options[`${kind === 'plain' ? 'conversion' : kind}EventName`]);
    const events = conversionEvents(kind, resolved, value, currency, eventName, stamp, (note) => log.debug(`${describeElement(element)}: ${note}`));
    for (const draft of events) {
      const event = emit(draft, element);
      if (!event || !('objectIDs' in event)) continue;
      if (kind === 'purchase') void memory.forget(event.objectIDs);
      else if (kind === 'addToCart' && 'queryID' in event) remember(event.objectIDs, event.index, event.queryID, stamp.timestamp);
    }
  };

  const convertSafely = (trigger: Ancestry, stamp: WhoAndWhen) => void convert(trigger, stamp).catch((error: unknown) => log.warn('conversion failed:', error));

  const interactions = listenForInteractions({
    click: withoutThrowing(log, (path, timestamp, middle) => {
      const target = clickTargetOf(path);
      // SPEC §3: a middle click counts on an object only (its link opens in a new tab).
      if (!target || inactive() || (middle && target.kind !== 'object')) return;
      const stamp = whoAndWhen(timestamp);
      if (target.kind === 'object') clickObject(target.lineage, path, stamp);
      else if (target.kind === 'filter') clickFilter(target.lineage, path, stamp);
      else convertSafely(target.lineage, stamp);
    }),
    submit: withoutThrowing(log, (path, timestamp) => {
      if (convertsOnSubmit(path) && !inactive()) convertSafely(path, whoAndWhen(timestamp));
    }),
  });
  // Views count once per object and queryID, or once per page load without a queryID; none in an ignore zone.
  const viewed = new Set<string>();
  const onViewed = withoutThrowing(log, (objects: Element[]) => {
    if (inactive()) return;
    const stamp = whoAndWhen(Date.now());
    const fresh = objects.flatMap((element) => {
      const lineage = ancestryOf(element);
      const { objectID, index, queryID } = readObject(lineage, options.index);
      const key = `${index}\n${queryID}\n${objectID}`;
      if (viewed.has(key) || isIgnored(lineage)) return [];
      viewed.add(key);
      const view = { objectID, index, eventName: eventNameFor(lineage, options.viewEventName) };
      // Checked one by one first, so that one broken object does not take 19 valid views down with it.
      const [alone] = viewEvents([view], stamp);
      const result = validateEvent(alone);
      if (result.ok) return [view];
      reject(alone, result.rule, element);
      return [];
    });
    for (const event of viewEvents(fresh, stamp)) emit(event);
  });
  const views = options.views ? watchViews(onViewed) : undefined;

  const stopExit = onPageExit(
    withoutThrowing(log, () => {
      memory.handOff();
      delivery.flushOnExit();
      views?.pause();
    }),
  );

  const stopFollowing = followDom({
    found: withoutThrowing(log, (object: Element) => {
      views?.watch(object);
      if (!landingQueryID) return;
      const { objectID, index } = readObject(ancestryOf(object), options.index);
      if (objectID && index) remember([objectID], index, landingQueryID, Date.now());
    }),
    lost: (object) => views?.release(object),
    shadowRoot: (root) => interactions.watch(root),
  });
  if (optOut) forgetEverything();
  else {
    // Opened and loaded at start, so that a click's write and a conversion's read find the store ready.
    void memory.prune(Date.now());
    // What earlier pages could not deliver goes now, from one tab at a time.
    void delivery.retry();
  }

  return {
    flush: () => delivery.flush().catch((error: unknown) => log.warn('flush failed:', error)),
    setUserToken(token) {
      if (!isValidToken(token)) return tokenProblem('setUserToken', token);
      identity = { token, source: 'option' };
    },
    setAuthenticatedUserToken(token) {
      if (token !== undefined && !isValidToken(token)) return tokenProblem('setAuthenticatedUserToken', token);
      authenticatedUserToken = token;
    },
    getUserToken: () => identity.token,
    setConsent(next) {
      const checked = safeParse(CONSENT, next);
      if (!checked.success) return log.error(`setConsent: ${quote(next)} ${firstProblem(checked.error)}`);
      consent = next;
      applyStorageConsent();
      // What earlier pages stored goes now: at start, the outbox could not be read without consent.
      // (Without it, only what waits in memory is tried again, which sending without consent may.)
      void delivery.retry();
    },
    setOptOut(next) {
      optOut = next === true;
      applyStorageConsent();
      if (optOut) forgetEverything();
    },
    track(event) {
      if (inactive() || typeof event !== 'object' || event === null) return false;
      // The event's own fields win over the stamp's; what is undefined is left out, as JSON would.
      return emit(withoutUndefined({ ...whoAndWhen(Date.now()), ...event })) !== undefined;
    },
    destroy() {
      destroyed = true;
      interactions.stop();
      stopFollowing();
      views?.stop();
      stopExit();
      void delivery.flush().finally(() => delivery.stop());
    },
  };
}

export type { Consent, InsightsEvent, Options };
