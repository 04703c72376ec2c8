import { ATTR, OBJECT_SELECTOR } from '../markup/ancestry';
import { LOAD_TRIGGER_SELECTOR } from '../markup/target';
import { createScanQueue } from './scan-queue';

export interface DomHandlers {
  /**
   * Whether objects are looked for: only views and a landing queryID need them. Asked at each
   * scan, so that a page without either pays nothing for its objects.
   */
  wantsObjects(): boolean;
  /** An object is on the page: there at start, added later, or its markup changed. */
  found(object: Element): void;
  /** An object left the page. */
  lost(object: Element): void;
  /** A conversion trigger that converts on load is on the page: there at start, or added later. */
  loadTrigger(trigger: Element): void;
  /** An open shadow root appeared. */
  shadowRoot(root: ShadowRoot): void;
}

type Visit = (element: Element) => void;

// An attribute filter implies `attributes: true`.
const WATCHED = { childList: true, subtree: true, attributeFilter: [ATTR.objectId, ATTR.queryId] };

/** `root` itself where it matches `selector`, and its descendants that do: the browser runs the selector. */
const matching = (root: Node, selector: string): (ArrayLike<Element> & Iterable<Element>)[] => [
  (root as Element).matches?.(selector) ? [root as Element] : [],
  (root as ParentNode).querySelectorAll(selector),
];

/**
 * Calls `begin` once the document is parsed. While the parser builds the page, each node it
 * inserts would be a mutation record (tens of thousands on a long results page): the finished
 * document is scanned once instead.
 */
function onceParsed(begin: () => void) {
  if (document.readyState !== 'loading') begin();
  else document.addEventListener('DOMContentLoaded', begin);
}

export interface FollowedDom {
  /** A new page of a single-page app: every object still on the page is found again. */
  rescan(): void;
  stop(): void;
}

/**
 * Follows the objects and load triggers of the document and of its open shadow roots as they
 * come and go. Only added and removed subtrees are looked at. Objects, load triggers and custom
 * elements not defined yet are found by selectors, at once; only a shadow root needs each
 * element asked. What was found is visited later, a slice at a time (see scan-queue.ts).
 */
export function followDom(handlers: DomHandlers): FollowedDom {
  let stopped = false;
  const queue = createScanQueue();

  /**
   * Where `element` is a custom element not defined yet, adopts the shadow root it gets once it
   * is defined, if any, and if it is still on the page then: no mutation tells.
   */
  const whenDefined = (element: Element) => {
    if (element.shadowRoot) return;
    void customElements.whenDefined(element.localName).then(
      () => {
        if (element.shadowRoot && element.isConnected && !stopped) adopt(element.shadowRoot);
      },
      // Refused for names no custom element may take (a customized built-in's, MathML annotation-xml):
      // unhandled, the rejection would reach the page's error reporting.
      () => {},
    );
  };
  const adoptShadowRoot = (element: Element) => {
    if (element.shadowRoot) adopt(element.shadowRoot);
  };
  // Found at once, visited later: only what is still on the page then counts.
  const found = (object: Element) => object.isConnected && handlers.found(object);
  const loadTrigger = (trigger: Element) => trigger.isConnected && handlers.loadTrigger(trigger);
  /** What is looked for, by selectors the browser runs: no element is visited in script to find it. */
  const wanted: [string, Visit][] = [
    [OBJECT_SELECTOR, found],
    [LOAD_TRIGGER_SELECTOR, loadTrigger],
    [':not(:defined)', whenDefined],
    // No selector tells which element has a shadow root: each is asked.
    ['*', adoptShadowRoot],
  ];

  /** Finds what is wanted in `root` and its descendants, to be visited a slice at a time. */
  const scan = (root: Node) => {
    for (const [selector, visit] of wanted) {
      if (visit === found && !handlers.wantsObjects()) continue;
      for (const elements of matching(root, selector)) queue.add(elements, visit);
    }
  };

  // The open shadow roots followed, so that those inside a removed subtree are found without walking it.
  const roots = new Set<ShadowRoot>();
  /** Loses the objects of a subtree that left the page. */
  const lose = (root: Node) => {
    for (const objects of matching(root, OBJECT_SELECTOR)) for (const object of objects) handlers.lost(object);
  };

  // Subtrees that came and went, looked at later a slice at a time, in the order they changed: a
  // mutation callback runs in the task of the page's own change, and a page that adds 1,000
  // results at once would otherwise make that task 1,000 subtree scans longer.
  const loseSubtree = (node: Node) => node instanceof Element && lose(node);
  const scanSubtree = (node: Node) => node instanceof Element && node.isConnected && scan(node);
  const mutations = new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target as Element;
      if (record.type === 'childList') {
        queue.add(record.removedNodes, loseSubtree);
        queue.add(record.addedNodes, scanSubtree);
      } else if (target.isConnected) {
        // A new view set: its objects are found anew, those of shadow trees inside it too.
        if (record.attributeName === ATTR.queryId) scan(target);
        else (target.hasAttribute(ATTR.objectId) ? handlers.found : handlers.lost)(target);
      }
    }
    // The shadow trees of removed hosts: their objects are lost too.
    for (const root of roots) if (!root.isConnected && roots.delete(root)) lose(root);
  });
  const follow = (root: Document | ShadowRoot) => {
    mutations.observe(root, WATCHED);
    scan(root);
  };
  const adopt = (root: ShadowRoot) => {
    roots.add(root);
    handlers.shadowRoot(root);
    follow(root);
  };
  // Stopped before the document was parsed, it follows nothing: the listener left in place does nothing.
  onceParsed(() => stopped || follow(document));
  return {
    rescan: () => scan(document),
    stop() {
      stopped = true;
      mutations.disconnect();
      queue.stop();
    },
  };
}
