import { objectAndFilterClicks } from './clicks';
import { conversions } from './conversions';
import { views } from './views';
import { followDom } from './capture/dom';
import { listenForInteractions } from './capture/interactions';
import { followRoutes } from './capture/routes';
import { watchViews } from './capture/views';
import { createOutbox, OUTBOX_CAP, STORED_CAP } from './delivery/outbox';
import { createSender, type Sender } from './delivery/sender';
import { eventsUrl } from './delivery/transport';
import { withoutUndefined } from './events/build';
import { auditLoader } from './audit-loader';
import { createLater, type Later } from './lib/later';
import { createLog, withoutThrowing, type Log } from './lib/log';
import { onPageExit } from './lib/page-exit';
import { quote } from './lib/quote';
import { check, firstProblem } from './lib/rules';
import { ancestryOf } from './markup/ancestry';
import { readObject } from './markup/object';
import { clickTargetOf, convertsOnSubmit } from './markup/target';
import { CONSENT, parseOptions, type Consent, type Options } from './options';
import type { TrackedEvent } from './public-types';
import { createAttribution, type Attribution } from './session/attribution';
import { emitter, rejecter, type Emit, type Reject } from './session/emit';
import { createIdentity, type Identity } from './session/identity';
import { createPrivacy, type Privacy } from './session/privacy';
import { followDataLayer } from './integrations/data-layer';
import { createOrderIdMemory, type OrderIdMemory } from './storage/order-ids';
import { createQueryIdMemory } from './storage/query-ids';
import { replayEarlyCalls } from './early-calls';

/** The running QueryTrail (docs/behaviour.md, Runtime API). */
export interface QueryTrail {
  /** Sends every waiting event now. */
  flush(): Promise<void>;
  setUserToken(token: string): void;
  setAuthenticatedUserToken(token: string | undefined): void;
  getUserToken(): string | undefined;
  setConsent(consent: Consent): void;
  setOptOut(optOut: boolean): void;
  /** A hand-built event through the same validation and delivery; true when accepted. */
  track(event: TrackedEvent): boolean;
  /** Removes every listener and timer; waiting events are sent first. */
  destroy(): void;
  /** Opens the markup audit on the page (docs/behaviour.md, Markup audit). */
  audit(): void;
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
  audit() {},
});

/**
 * Where a page keeps its running instance: on `document`, under a key every copy of QueryTrail
 * shares, so that an ESM `init()`, the script-tag build, and a module evaluated again by hot
 * reload all find the same one (docs/behaviour.md, One instance per page).
 */
export const RUNNING = Symbol.for('querytrail.running');
export type PageWithInstance = Document & { [RUNNING]?: { instance: QueryTrail; debug: Log['debug'] } };

/**
 * Starts QueryTrail, or returns the instance already running. `early` is the queue of the
 * script-tag build's stub (docs/behaviour.md, Early calls): those calls are made first, before
 * anything is stored or sent, so that a consent or a token given before the script loaded holds
 * from the first moment. `from` is the URL of the file QueryTrail was loaded from, beside which
 * its markup audit is.
 */
export function init(input: unknown, early?: unknown, from?: string): QueryTrail {
  // On a server (server-side rendering) there is no page to follow, and nothing worth saying.
  if (typeof document === 'undefined') return inert();
  const page: PageWithInstance = document;
  const running = page[RUNNING];
  if (running) {
    running.debug('a second init() returns the running instance, options unchanged');
    replayEarlyCalls(running.instance, early);
    return running.instance;
  }
  try {
    const parsed = parseOptions(input);
    if (parsed.ok) {
      const log = createLog(parsed.options.debug || location.href.includes('querytrail-debug'));
      const started = start(parsed.options, log, early, from);
      const instance: QueryTrail = {
        ...started,
        destroy() {
          // A late destroy() of an earlier instance leaves the one that runs now in place.
          if (page[RUNNING]?.instance === instance) delete page[RUNNING];
          started.destroy();
        },
      };
      page[RUNNING] = { instance, debug: log.debug };
      return instance;
    }
    console.error(`QueryTrail stays inactive: ${parsed.problems.join('; ')}.`);
  } catch (error) {
    console.error('QueryTrail: could not start:', error);
  }
  return inert();
}

/**
 * Wires the pipeline: a DOM event → the markup → an Insights event → validation → the queue →
 * delivery. The `early` calls are made on the new instance before it stores, sends or listens to
 * anything, so that it starts with what they set (an early `querytrail('audit')` included).
 */
function start(options: Options, log: Log, early: unknown, from: string | undefined): QueryTrail {
  const privacy = createPrivacy(options);
  const identity = createIdentity(options, privacy.mayStore, log);

  const storage = { persistent: privacy.mayStore(), onStorageProblem: log.debug };
  const kept = { ttlMs: options.queryIdTtl * 1000, ...storage };
  const memory = createQueryIdMemory(kept);
  const orderIds = createOrderIdMemory(kept);
  const outbox = createOutbox({
    ...storage,
    onExpired: (count) => log.debug(`${count} events dropped: more than 4 days old`),
    onFull: (count) => log.warn(`${count} undelivered events dropped: the newest ${OUTBOX_CAP} are kept in memory, ${STORED_CAP} stored`),
  });
  const reject = rejecter(log);
  const sender = createSender({
    url: eventsUrl(options.endpoint, options.appId, options.apiKey),
    flushInterval: options.flushInterval,
    log,
    outbox,
    onRefused: (event, status) => reject(event, `the Insights API refused it (${status})`),
  });
  const emit = emitter(log, sender.enqueue, reject);
  const attribution = createAttribution(memory, options.queryIdParam, log);
  const later = createLater(log);

  const applyStorageConsent = () => {
    memory.setPersistent(privacy.mayStore());
    orderIds.setPersistent(privacy.mayStore());
    outbox.setPersistent(privacy.mayStore());
    identity.keep();
  };
  const forgetEverything = () => {
    sender.clear();
    void memory.clear();
    void orderIds.clear();
    identity.forget();
  };
  let stopCapturing: (() => void) | undefined;
  const started = {
    ...controls(log, privacy, identity, sender, emit, later, applyStorageConsent, forgetEverything, () => stopCapturing?.()),
    audit: auditLoader(from),
  };
  replayEarlyCalls(started, early);
  identity.keep();
  stopCapturing = capture(options, log, privacy, identity, attribution, orderIds, emit, reject, later, (leaving) => {
    // What clicks left for later is queued and remembered first, so that it leaves or is handed off with the rest.
    later.runNow();
    identity.keep();
    memory.handOff();
    orderIds.handOff();
    sender.flushOnExit(leaving);
  });
  if (options.optOut) forgetEverything();
  else {
    // Opened and loaded at start, so that a click's write and a conversion's read find the stores ready.
    void memory.prune(Date.now());
    void orderIds.prune(Date.now());
    // What earlier pages could not deliver goes now, from one tab at a time.
    void sender.retry();
  }
  return started;
}

/**
 * Listens to the page: clicks and submits, objects as they come and go, views, and the page's
 * exit, which also calls `onExit` (`leaving` where the page is left, not only hidden). Returns
 * what stops it all.
 */
function capture(
  options: Options,
  log: Log,
  privacy: Privacy,
  identity: Identity,
  attribution: Attribution,
  orderIds: OrderIdMemory,
  emit: Emit,
  reject: Reject,
  later: Later,
  onExit: (leaving: boolean) => void,
): () => void {
  const { clickObject, clickFilter } = objectAndFilterClicks(options, emit, attribution, later);
  const convert = conversions(options, emit, reject, attribution, orderIds, privacy.isInactive, log, later);
  const now = () => identity.whoAndWhen(Date.now());
  const interactions = listenForInteractions({
    click: withoutThrowing(log, (path, timestamp, middle) => {
      const target = clickTargetOf(path);
      // A middle click counts on an object only: it opens its link in a new tab, and activates nothing.
      if (!target || privacy.isInactive() || (middle && target.kind !== 'object')) return;
      const who = identity.whoAndWhen(timestamp);
      if (target.kind === 'object') clickObject(target.ancestry, path, who);
      else if (target.kind === 'filter') clickFilter(target.ancestry, path, who);
      else convert.ofTrigger(target.ancestry, who);
    }),
    submit: withoutThrowing(log, (path, timestamp) => {
      if (convertsOnSubmit(path) && !privacy.isInactive()) convert.ofTrigger(path, identity.whoAndWhen(timestamp));
    }),
  });
  const viewReports = views(options, emit, reject, identity.whoAndWhen, privacy.isInactive);
  const viewWatcher = options.views ? watchViews(withoutThrowing(log, viewReports.report)) : undefined;
  const dom = followDom({
    // Clicks need no object found: their listeners are delegated.
    wantsObjects: () => options.views || attribution.hasLanding(),
    found: withoutThrowing(log, (object: Element) => {
      viewWatcher?.watch(object);
      // Reading an object's markup is most of what finding it costs: only done where it can count.
      if (attribution.hasLanding()) attribution.rememberLanding(readObject(ancestryOf(object), options.index));
    }),
    lost: (object) => viewWatcher?.release(object),
    loadTrigger: withoutThrowing(log, (trigger: Element) => convert.ofLoadTrigger(trigger, now())),
    shadowRoot: (root) => interactions.watch(root),
  });
  // A new page of a single-page app (docs/behaviour.md, Dynamic pages): its own landing queryID,
  // its own views, and the objects still on it found again for both.
  const stopRoutes = followRoutes(
    withoutThrowing(log, () => {
      attribution.newPage();
      viewReports.newPage();
      dom.rescan();
    }),
  );
  // Without an index, no data-layer conversion could be sent: one warning says so (docs/behaviour.md, Data layer).
  let stopDataLayer = () => {};
  if (options.dataLayer && !options.index) log.warn('dataLayer needs the index option');
  else if (options.dataLayer)
    stopDataLayer = followDataLayer(
      options.dataLayer,
      withoutThrowing(log, (entry: object) => convert.ofEntry(entry, now())),
    );
  const stopExit = onPageExit(
    withoutThrowing(log, (leaving: boolean) => {
      onExit(leaving);
      viewWatcher?.pause();
    }),
  );
  return () => {
    interactions.stop();
    dom.stop();
    stopRoutes();
    viewWatcher?.stop();
    stopDataLayer();
    stopExit();
  };
}

/** The public API of a running instance (docs/behaviour.md, Runtime API). */
function controls(
  log: Log,
  privacy: Privacy,
  identity: Identity,
  sender: Sender,
  emit: Emit,
  later: Later,
  applyStorageConsent: () => void,
  forgetEverything: () => void,
  stopCapturing: () => void,
): Omit<QueryTrail, 'audit'> {
  return {
    flush() {
      later.runNow();
      return sender.flush().catch((error: unknown) => log.warn('flush failed:', error));
    },
    setUserToken: identity.setUserToken,
    setAuthenticatedUserToken: identity.setAuthenticatedUserToken,
    getUserToken: identity.getUserToken,
    setConsent(next) {
      const { issues } = check(CONSENT, next);
      if (issues) {
        log.error(`setConsent: ${quote(next)} ${firstProblem(issues)}`);
        return;
      }
      privacy.setConsent(next);
      applyStorageConsent();
      // What earlier pages stored goes now: at start, the outbox could not be read without consent.
      // (Without it, only what waits in memory is tried again, which sending without consent may.)
      void sender.retry();
    },
    setOptOut(next) {
      // Clicks made before are queued first: an opt-out drops them with the rest.
      later.runNow();
      privacy.setOptOut(next === true);
      applyStorageConsent();
      if (next === true) forgetEverything();
    },
    track(event) {
      if (privacy.isInactive() || typeof event !== 'object' || event === null) return false;
      // The event's own fields win over these; what is undefined is left out, as JSON would.
      return emit(withoutUndefined({ ...identity.whoAndWhen(Date.now()), ...event })) !== undefined;
    },
    destroy() {
      later.runNow();
      privacy.end();
      stopCapturing();
      void sender.flush().finally(() => sender.stop());
    },
  };
}
