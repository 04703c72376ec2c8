import { ATTR, OBJECT_SELECTOR } from '../markup/attributes';

export interface DomHandlers {
  /** An object is on the page: there at start, added later, or its markup changed. */
  found(object: Element): void;
  /** An object left the page. */
  lost(object: Element): void;
  /** An open shadow root appeared. */
  shadowRoot(root: ShadowRoot): void;
}

const WATCHED = { childList: true, subtree: true, attributes: true, attributeFilter: [ATTR.objectId, ATTR.queryId] };
/** Scanning yields to the page after this long, so a page of 10,000 results makes no long task. */
const SLICE_MS = 8;

const objectsIn = (root: Element): Element[] => [
  ...(root.hasAttribute(ATTR.objectId) ? [root] : []),
  ...root.querySelectorAll(OBJECT_SELECTOR),
];

/**
 * Follows the objects of the document and of its open shadow roots as they come and go.
 * Only added and removed subtrees are looked at; the first scan of the page and of each
 * added subtree runs in slices between which the page gets the main thread back.
 */
export function followDom(handlers: DomHandlers): () => void {
  const toScan: TreeWalker[] = [];
  // Objects in shadow roots: a removed host does not list them, so they are checked on removals.
  const inShadows = new Set<Element>();
  let slice: ReturnType<typeof setTimeout> | undefined;

  const visit = (element: Element) => {
    if (element.hasAttribute(ATTR.objectId)) {
      if (element.getRootNode() !== document) inShadows.add(element);
      handlers.found(element);
    }
    if (element.shadowRoot) adopt(element.shadowRoot);
  };

  const scan = () => {
    slice = undefined;
    const deadline = performance.now() + SLICE_MS;
    for (let walker = toScan[0]; walker; walker = toScan[0]) {
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        visit(node as Element);
        if (performance.now() > deadline) return void (slice = setTimeout(scan, 0));
      }
      toScan.shift();
    }
  };

  const enqueue = (root: Node) => {
    toScan.push(document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT));
    slice ??= setTimeout(scan, 0);
  };

  const lose = (object: Element) => {
    inShadows.delete(object);
    handlers.lost(object);
  };

  const onMutations = (records: MutationRecord[]) => {
    let removed = false;
    for (const record of records) {
      const target = record.target as Element;
      if (record.type === 'attributes') {
        if (!target.isConnected) continue;
        if (record.attributeName === ATTR.queryId) objectsIn(target).forEach(handlers.found);
        else if (target.hasAttribute(ATTR.objectId)) handlers.found(target);
        else lose(target);
        continue;
      }
      for (const node of record.removedNodes) {
        if (node instanceof Element) objectsIn(node).forEach(lose);
        removed = true;
      }
      for (const node of record.addedNodes) {
        if (!(node instanceof Element) || !node.isConnected) continue;
        visit(node);
        enqueue(node);
      }
    }
    if (removed) for (const object of inShadows) if (!object.isConnected) lose(object);
  };

  const mutations = new MutationObserver(onMutations);
  const adopt = (root: ShadowRoot) => {
    handlers.shadowRoot(root);
    mutations.observe(root, WATCHED);
    enqueue(root);
  };

  mutations.observe(document, WATCHED);
  enqueue(document);
  return () => {
    mutations.disconnect();
    clearTimeout(slice);
    toScan.length = 0;
  };
}
