import * as ATTR from './names';

export { ATTR };

export const OBJECT_SELECTOR = `[${ATTR.objectId}]`;
export const CONTAINER_ATTRS = [ATTR.index, ATTR.queryId, ATTR.page, ATTR.hitsPerPage];

/**
 * An element and its ancestors, nearest first, across open shadow roots: what
 * `composedPath()` gives for an event, or the same walk from an element.
 */
export type Ancestry = readonly Element[];

export function ancestryOf(element: Element): Element[] {
  const ancestry: Element[] = [];
  for (let node: Element | null = element; node; ) {
    ancestry.push(node);
    // Without a parent element, the parent is a shadow root (on to its host), a document or a fragment.
    node = node.parentElement ?? (node.parentNode as Partial<ShadowRoot> | null)?.host ?? null;
  }
  return ancestry;
}

/** The value of `attr` on the first element of the ancestry that has it. */
export function nearest(ancestry: Ancestry, attr: string): string | undefined {
  for (const element of ancestry) {
    const value = element.getAttribute(attr);
    if (value !== null) return value;
  }
  return undefined;
}

/** The nearest `data-insights-event-name` (docs/behaviour.md, Markup), else `fallback`, the option's name. */
export const eventNameOf = (ancestry: Ancestry, fallback: string): string => nearest(ancestry, ATTR.eventName) ?? fallback;

/** The closest ancestor that describes a result set (index, queryID or paging). */
export function containerOf(ancestry: Ancestry): Element | undefined {
  return ancestry.slice(1).find((element) => CONTAINER_ATTRS.some((attr) => element.hasAttribute(attr)));
}

/** `<li id="a" data-insights-object-id="sku-1">` style, for warnings a developer can find. */
export function describeElement(element: Element): string {
  const id = element.id ? ` id="${element.id}"` : '';
  const marker = [ATTR.objectId, ATTR.filter, ATTR.conversion, ATTR.index].find((attr) => element.hasAttribute(attr));
  const markup = marker ? ` ${marker}="${element.getAttribute(marker)}"` : '';
  return `<${element.localName}${id}${markup}>`;
}
