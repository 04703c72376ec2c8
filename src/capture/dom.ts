import { ATTR } from '../markup/ancestry';
import { convertsOnLoad } from '../markup/target';
import { createScanQueue } from './scan-queue';

export interface DomHandlers {
  /** An object is on the page: there at start, added later, or its markup changed. */
  found(object: Element): void;
  /** An object left the page. */
  lost(object: Element): void;
  /** A conversion trigger that converts on load is on the page: there at start, or added later. */
  loadTrigger(trigger: Element): void;
  /** An open shadow root appeared. */
  shadowRoot(root: ShadowRoot): void;
}

// An attribute filter implies `attributes: true`.
const WATCHED = { childList: true, subtree: true, attributeFilter: [ATTR.objectId, ATTR.queryId] };

/** Calls `handle` for `root`, then its descendants, in document order. */
const eachElement = (root: Element, handle: (element: Element) => void) => {
  handle(root);
  root.querySelectorAll('*').forEach(handle);
};

/**
 * Where `element` is a custom element not defined yet, calls `adopt` with the shadow root it
 * gets once it is defined, if any, and if it is still on the page then: no mutation tells.
 */
function whenDefined(element: Element, adopt: (root: ShadowRoot) => void) {
  const name = element.localName;
  if (!name.includes('-') || customElements.get(name)) return;
  void customElements.whenDefined(name).then(
    () => {
      if (element.shadowRoot && element.isConnected) adopt(element.shadowRoot);
    },
    // Refused for names no custom element may take (MathML annotation-xml, SVG font-face):
    // unhandled, the rejection would reach the page's error reporting.
    () => {},
  );
}

/**
 * Tells what mutation records report: a watched attribute of an element still on the page
 * changed, an element was removed (with its subtree), an element was added (with its subtree).
 */
function readMutations(
  records: MutationRecord[],
  changed: (element: Element, attribute: string | null) => void,
  removed: (element: Element) => void,
  added: (element: Element) => void,
) {
  for (const record of records) {
    const target = record.target as Element;
    if (record.type === 'attributes') {
      if (target.isConnected) changed(target, record.attributeName);
      continue;
    }
    for (const node of record.removedNodes) if (node instanceof Element) removed(node);
    for (const node of record.addedNodes) if (node instanceof Element) added(node);
  }
}

/**
 * Calls `begin` once the document is parsed, and returns what cancels that. While the parser
 * builds the page, each node it inserts would be a mutation record (tens of thousands on a long
 * results page): the finished document is scanned once instead.
 */
function onceParsed(begin: () => void): () => void {
  if (document.readyState !== 'loading') begin();
  else document.addEventListener('DOMContentLoaded', begin);
  return () => document.removeEventListener('DOMContentLoaded', begin);
}

export interface FollowedDom {
  /** A new page of a single-page app: every object still on the page is found again. */
  rescan(): void;
  stop(): void;
}

/**
 * Follows the objects and load triggers of the document and of its open shadow roots as they come and go.
 * Only added and removed subtrees are looked at, and added ones are scanned later, a slice at
 * a time (see scan-queue.ts).
 */
export function followDom(handlers: DomHandlers): FollowedDom {
  // Elements already scanned, so that a subtree added in pieces is not scanned twice.
  let scanned = new WeakSet<Element>();
  let stopped = false;

  /** Visits an element once: false where it was visited already or has left the page. */
  const visit = (element: Element): boolean => {
    if (scanned.has(element) || !element.isConnected) return false;
    scanned.add(element);
    if (element.hasAttribute(ATTR.objectId)) handlers.found(element);
    if (convertsOnLoad(element)) handlers.loadTrigger(element);
    if (element.shadowRoot) adopt(element.shadowRoot);
    else whenDefined(element, adoptUnlessStopped);
    return true;
  };
  const adoptUnlessStopped = (root: ShadowRoot) => {
    if (!stopped) adopt(root);
  };
  const queue = createScanQueue(visit);

  /**
   * Forgets an element as scanned, so that it is scanned again if it comes back (moved) or
   * its container's queryID changes, and loses it if it is an object. A host does not list
   * the elements of its shadow tree: they are walked from here.
   */
  const forget = (element: Element) => {
    scanned.delete(element);
    if (element.hasAttribute(ATTR.objectId)) handlers.lost(element);
    element.shadowRoot?.querySelectorAll('*').forEach(forget);
  };

  /** A watched attribute of an element on the page changed. */
  const onAttribute = (target: Element, name: string | null) => {
    if (name === ATTR.queryId) {
      // A new view set: its objects are found anew, those of shadow trees inside it too.
      eachElement(target, forget);
      queue.add(target);
    } else if (target.hasAttribute(ATTR.objectId)) handlers.found(target);
    else handlers.lost(target);
  };

  const forgetSubtree = (root: Element) => eachElement(root, forget);
  const mutations = new MutationObserver((records) => readMutations(records, onAttribute, forgetSubtree, queue.add));
  const follow = (root: Document | ShadowRoot) => {
    mutations.observe(root, WATCHED);
    queue.add(root);
  };
  const adopt = (root: ShadowRoot) => {
    handlers.shadowRoot(root);
    follow(root);
  };
  const cancelStart = onceParsed(() => follow(document));
  return {
    rescan() {
      // Everything counts as not scanned yet, without walking the page now: the scan does, in slices.
      scanned = new WeakSet();
      queue.add(document);
    },
    stop() {
      stopped = true;
      cancelStart();
      mutations.disconnect();
      queue.stop();
    },
  };
}
