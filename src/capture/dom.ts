import { ATTR } from '../markup/ancestry';

export interface DomHandlers {
  /** An object is on the page: there at start, added later, or its markup changed. */
  found(object: Element): void;
  /** An object left the page. */
  lost(object: Element): void;
  /** An open shadow root appeared. */
  shadowRoot(root: ShadowRoot): void;
}

// An attribute filter implies `attributes: true`.
const WATCHED = { childList: true, subtree: true, attributeFilter: [ATTR.objectId, ATTR.queryId] };
/** Scanning yields to the page after this long, so a page of 10,000 results makes no long task. */
const SLICE_MS = 8;

/** Calls `handle` for `root`, then its descendants, in document order. */
const eachElement = (root: Element, handle: (element: Element) => void) => {
  handle(root);
  root.querySelectorAll('*').forEach(handle);
};

/** A subtree to scan: a node still to be listed, or the elements listed in it. */
type Pending = Node | ArrayLike<Element>;
/** Visits between two readings of the clock, which cost about as much as a visit. */
const VISITS_PER_CHECK = 32;

/**
 * Follows the objects of the document and of its open shadow roots as they come and go.
 * Only added and removed subtrees are looked at. Added subtrees are scanned later, in
 * slices between which the page gets the main thread back, so that neither a page of
 * 10,000 results nor the parser adding them makes a long task.
 */
export function followDom(handlers: DomHandlers): () => void {
  // A queue read from `head` on, not shifted: the parser adds thousands of subtrees one by one,
  // and shifting each out of a long array would make the scan quadratic.
  const pending: Pending[] = [];
  let head = 0;
  // How far the scan got in the elements of pending[head].
  let next = 0;
  // Elements already scanned, so that a subtree added in pieces is not scanned twice.
  const scanned = new WeakSet<Element>();
  let slice: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  /** Visits an element once: false where it was visited already or has left the page. */
  const visit = (element: Element): boolean => {
    if (scanned.has(element) || !element.isConnected) return false;
    scanned.add(element);
    if (element.hasAttribute(ATTR.objectId)) handlers.found(element);
    if (element.shadowRoot) adopt(element.shadowRoot);
    // A custom element defined later gets its shadow root without any mutation to observe.
    else if (element.localName.includes('-') && !customElements.get(element.localName)) {
      void customElements.whenDefined(element.localName).then(
        () => {
          if (element.shadowRoot && element.isConnected && !stopped) adopt(element.shadowRoot);
        },
        // Refused for names no custom element may take (MathML annotation-xml, SVG font-face):
        // unhandled, the rejection would reach the page's error reporting.
        () => {},
      );
    }
    return true;
  };

  const scan = () => {
    slice = undefined;
    const deadline = performance.now() + SLICE_MS;
    while (head < pending.length) {
      const subtree = pending[head] as Pending;
      if (subtree instanceof Node) {
        // Listed with the subtree itself visited first. None where it was scanned with an ancestor:
        // what was inside it then was scanned too, and what came in later has mutation records of its own.
        const fresh = subtree instanceof Element ? visit(subtree) : subtree.isConnected;
        // Kept as the static NodeList: copying tens of thousands of elements into an array would be one long step.
        pending[head] = fresh ? (subtree as ParentNode).querySelectorAll('*') : [];
        continue;
      }
      const end = Math.min(next + VISITS_PER_CHECK, subtree.length);
      while (next < end) visit(subtree[next++] as Element);
      if (next === subtree.length) {
        head += 1;
        next = 0;
      }
      if (performance.now() > deadline) return void (slice = setTimeout(scan));
    }
    pending.length = head = 0;
  };

  const enqueue = (root: Node) => {
    pending.push(root);
    slice ??= setTimeout(scan);
  };

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

  const onMutations = (records: MutationRecord[]) => {
    for (const record of records) {
      const target = record.target as Element;
      if (record.type === 'attributes') {
        if (!target.isConnected) continue;
        if (record.attributeName === ATTR.queryId) {
          // A new view set: its objects are found anew, those of shadow trees inside it too.
          eachElement(target, forget);
          enqueue(target);
        } else if (target.hasAttribute(ATTR.objectId)) handlers.found(target);
        else handlers.lost(target);
        continue;
      }
      for (const node of record.removedNodes) if (node instanceof Element) eachElement(node, forget);
      for (const node of record.addedNodes) if (node instanceof Element) enqueue(node);
    }
  };

  const mutations = new MutationObserver(onMutations);
  const follow = (root: Document | ShadowRoot) => {
    mutations.observe(root, WATCHED);
    enqueue(root);
  };
  const adopt = (root: ShadowRoot) => {
    handlers.shadowRoot(root);
    follow(root);
  };
  const begin = () => follow(document);
  // While the parser builds the page, each node it inserts would be a mutation record (tens of
  // thousands on a long results page): the finished document is scanned once instead.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin);
  else begin();
  return () => {
    stopped = true;
    document.removeEventListener('DOMContentLoaded', begin);
    mutations.disconnect();
    clearTimeout(slice);
    pending.length = head = next = 0;
  };
}
