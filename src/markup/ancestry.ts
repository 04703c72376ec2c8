import * as ATTR from './names';

export { ATTR };

export const OBJECT_SELECTOR = `[${ATTR.objectId}]`;
const CONTAINER_ATTRS = [ATTR.index, ATTR.queryId, ATTR.page, ATTR.hitsPerPage];

/**
 * An element and its ancestors, nearest first, across open shadow roots: what
 * `composedPath()` gives for an event, or the same walk from an element.
 */
export type Ancestry = readonly Element[];

export function ancestryOf(element: Element): Element[] {
  const lineage: Element[] = [];
  for (let node: Element | null = element; node; ) {
    lineage.push(node);
    // Without a parent element, the parent is a shadow root (on to its host), a document or a fragment.
    node = node.parentElement ?? (node.parentNode as Partial<ShadowRoot> | null)?.host ?? null;
  }
  return lineage;
}

/** The value of `attr` on the first element of the lineage that has it. */
export function nearest(lineage: Ancestry, attr: string): string | undefined {
  for (const element of lineage) {
    const value = element.getAttribute(attr);
    if (value !== null) return value;
  }
  return undefined;
}

/** The closest ancestor that describes a result set (index, queryID or paging). */
export function containerOf(lineage: Ancestry): Element | undefined {
  return lineage.slice(1).find((element) => CONTAINER_ATTRS.some((attr) => element.hasAttribute(attr)));
}

/** `<li id="a" data-insights-object-id="sku-1">` style, for warnings a developer can find. */
export function describeElement(element: Element): string {
  const id = element.id ? ` id="${element.id}"` : '';
  const marker = [ATTR.objectId, ATTR.filter, ATTR.conversion, ATTR.index].find((attr) => element.hasAttribute(attr));
  const markup = marker ? ` ${marker}="${element.getAttribute(marker)}"` : '';
  return `<${element.localName}${id}${markup}>`;
}
