/**
 * The markup audit, `dist/querytrail-audit.js` (docs/behaviour.md, Markup audit): loaded on request
 * beside QueryTrail, it shows on the page what QueryTrail sees, and lists every problem in the
 * markup. It only reads: it sends nothing, stores nothing, and changes nothing QueryTrail sends.
 */
import type { InsightsEvent } from '../events/schemas';
import { ATTR } from '../markup/ancestry';
import { detailsOf } from './details';
import { explain, type AuditContext, type Explanation } from './explain';
import { createOverlay } from './overlay';
import { createPanel } from './panel';
import { auditMarkup, markedElements, type Problem } from './problems';
import { countOutbox, followDelivery, readPageOptions, readRemembered, runningInstance, tokenSourceOf, type Delivery } from './state';
import { AUDIT_CSS } from './styles';

/** What `window.QueryTrailAudit` offers a test or a developer's console. */
export interface AuditApi {
  /** What QueryTrail resolves for the element, as the outlines and the panel show it. */
  explain(element: Element): Explanation;
  /** Every problem in the page's markup, as the panel lists it. */
  problems(): Problem[];
  /** Reads the page and the stored queryIDs again now; resolves once the outlines are redrawn. */
  refresh(): Promise<void>;
  /** Removes the audit from the page. */
  close(): void;
}

declare global {
  interface Window {
    QueryTrailAudit?: AuditApi;
  }
}

/** Runs a page or browser callback so that the audit never throws into the page. */
const guarded =
  <A extends unknown[]>(work: (...args: A) => void) =>
  (...args: A) => {
    try {
      work(...args);
    } catch (error) {
      console.warn('QueryTrail audit:', error);
    }
  };

/** Whether a mutation may change what QueryTrail sees: markup added, removed, or a data-insights-* attribute changed. */
const matters = (mutation: MutationRecord, host: Element) =>
  mutation.type === 'attributes'
    ? (mutation.attributeName ?? '').startsWith('data-insight')
    : [...mutation.addedNodes, ...mutation.removedNodes].some((node) => node !== host && node.nodeType === Node.ELEMENT_NODE);

/** The elements whose event this is: its objects (same index), or the filters it names. */
function elementsOf(event: InsightsEvent, explanations: readonly Explanation[]): Element[] {
  const objectIDs = 'objectIDs' in event ? event.objectIDs : [];
  const filters = 'filters' in event ? event.filters : [];
  const index = 'index' in event ? event.index : undefined;
  return explanations
    .filter(
      ({ object, filter }) =>
        (object && object.index === index && objectIDs.includes(object.objectID)) ||
        (filter && filter.index === index && filter.filters.some((pair) => filters.includes(pair))),
    )
    .map(({ element }) => element);
}

function openAudit(): AuditApi {
  const { options, problem: optionsProblem } = readPageOptions();
  const instance = runningInstance();
  const context: AuditContext = { options, remembered: new Map(), userToken: instance?.getUserToken() ?? 'anonymous-audit', now: Date.now() };
  let explanations: Explanation[] = [];
  let problems: Problem[] = [];
  let outbox: number | undefined;
  let delivery: Delivery = { requests: 0, lastStatus: undefined, lastStart: undefined };
  const seen = { accepted: 0, refused: 0, announcedAt: [] as number[], lastRefusal: '' };
  let open = true;

  const host = document.createElement('querytrail-audit');
  const root = host.attachShadow({ mode: 'open' });
  const look = new CSSStyleSheet();
  look.replaceSync(AUDIT_CSS);
  const positions = new CSSStyleSheet();
  root.adoptedStyleSheets = [look, positions];
  const overlay = createOverlay(root, positions);
  const show = (element: Element) => {
    overlay.select(element);
    panel.setDetails(detailsOf(explain(element, context)));
  };
  const panel = createPanel(root, {
    pick(problem) {
      problem.element.scrollIntoView({ block: 'center' });
      // Only what the page made focusable is focused: the audit adds no tabindex of its own.
      if (problem.element.matches('a[href], button, input, select, textarea, [tabindex]'))
        (problem.element as HTMLElement).focus({ preventScroll: true });
      show(problem.element);
    },
    outlines: overlay.setShown,
    badges: overlay.setBadges,
    close: () => api.close(),
  });
  document.documentElement.append(host);

  const showStatus = () => {
    const token = instance?.getUserToken();
    const waiting = seen.announcedAt.filter((at) => at > (delivery.lastStart ?? -1)).length;
    panel.setStatus([
      ...(instance ? [] : [['QueryTrail', 'not running on this page: nothing is sent'] as const]),
      ...(optionsProblem ? [['Options', optionsProblem] as const] : []),
      ['User token', token ? `${token} (from ${tokenSourceOf(token, options, Date.now())})` : '(none)'],
      ['Consent', `${options.consent} at start${options.optOut ? ', opted out' : ''}`],
      ['Events', `${seen.accepted} accepted, ${seen.refused} refused since the audit opened${seen.lastRefusal && ` (last: ${seen.lastRefusal})`}`],
      ['Waiting', `${waiting} announced since the last request`],
      ['Outbox', outbox === undefined ? 'nothing stored' : `${outbox} stored`],
      [
        'Last answer',
        delivery.lastStatus === undefined ? 'no request yet' : `HTTP ${delivery.lastStatus || '(not told)'} · ${delivery.requests} requests`,
      ],
    ]);
  };

  const observer = new MutationObserver(
    guarded((mutations: MutationRecord[]) => {
      if (mutations.some((mutation) => matters(mutation, host))) soon();
    }),
  );
  const observed = new WeakSet<Node>();
  const observe = (target: Document | ShadowRoot) => {
    if (observed.has(target)) return;
    observed.add(target);
    observer.observe(target, { subtree: true, childList: true, attributes: true });
  };

  const draw = () => {
    context.now = Date.now();
    context.userToken = instance?.getUserToken() ?? context.userToken;
    ({ explanations, problems } = auditMarkup(document, context));
    overlay.render(explanations);
    panel.setProblems(problems);
    showStatus();
    // Shadow roots rendered since: their markup is followed too.
    for (const element of markedElements(document)) {
      const shadow = element.getRootNode();
      if (shadow instanceof ShadowRoot) observe(shadow);
    }
  };
  const refresh = async () => {
    [context.remembered, outbox] = await Promise.all([readRemembered(), countOutbox()]);
    if (open) draw();
  };
  let pending: ReturnType<typeof setTimeout> | undefined;
  /** Changes come in bursts (a list rendered item by item): one redraw after them. */
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      refresh().catch((error: unknown) => console.warn('QueryTrail audit:', error));
    }, 150);
  };
  /** One layout per frame, however many scroll events come. */
  let laidOutSoon = false;
  const relayout = guarded(() => {
    if (laidOutSoon) return;
    laidOutSoon = true;
    requestAnimationFrame(() => {
      laidOutSoon = false;
      overlay.layout();
    });
  });

  /** Hovering or focusing a conversion trigger shows the objects it covers; anything marked shows its details. */
  const point = guarded((event: Event) => {
    const path = event.composedPath().filter((node): node is Element => node instanceof Element);
    if (path.includes(host)) return;
    const trigger = path.find((element) => element.hasAttribute(ATTR.conversion));
    const marked = trigger ?? path.find((element) => explanations.some((explanation) => explanation.element === element));
    const explanation = marked && explain(marked, context);
    overlay.cover(explanation?.conversion?.items ?? []);
    if (explanation) panel.setDetails(detailsOf(explanation));
  });
  const onEvent = guarded((event: Event) => {
    const detail = (event as CustomEvent<InsightsEvent>).detail;
    seen.accepted++;
    seen.announcedAt.push(performance.now());
    overlay.flash(elementsOf(detail, explanations), 'sent');
    showStatus();
    // A click or an add-to-cart after search is remembered: its queryID is read again once written.
    soon();
  });
  const onReject = guarded((event: Event) => {
    const { element, rule } = (event as CustomEvent<{ element?: Element; rule: string }>).detail;
    seen.refused++;
    seen.lastRefusal = rule;
    if (element) overlay.flash([element], 'rejected');
    showStatus();
  });
  const listeners: [EventTarget, string, (event: Event) => void][] = [
    [document, 'querytrail:event', onEvent],
    [document, 'querytrail:reject', onReject],
    [document, 'pointerover', point],
    [document, 'focusin', point],
    [window, 'scroll', relayout],
    [window, 'resize', relayout],
    // A single-page app's new page: the landing queryID comes from the new URL.
    [window, 'popstate', soon],
  ];
  for (const [target, type, listener] of listeners) target.addEventListener(type, listener, { capture: true, passive: true });
  const stopDelivery = followDelivery(
    options.endpoint,
    guarded((next: Delivery) => {
      delivery = next;
      showStatus();
    }),
  );
  // Layout that moves without a mutation (images loading, fonts, animations) is caught up with now and then.
  const ticker = setInterval(relayout, 1000);
  observe(document);
  draw();
  soon();

  const api: AuditApi = {
    explain: (element) => explain(element, { ...context, now: Date.now() }),
    problems: () => auditMarkup(document, { ...context, now: Date.now() }).problems,
    refresh,
    close() {
      open = false;
      observer.disconnect();
      stopDelivery();
      clearInterval(ticker);
      clearTimeout(pending);
      for (const [target, type, listener] of listeners) target.removeEventListener(type, listener, { capture: true });
      host.remove();
      delete window.QueryTrailAudit;
    },
  };
  return api;
}

// Opened once per page: loading the file again (a second audit() call) leaves the open audit in place.
if (!window.QueryTrailAudit) {
  try {
    window.QueryTrailAudit = openAudit();
  } catch (error) {
    console.warn('QueryTrail audit could not open:', error);
  }
}
