import { ATTR, OBJECT_SELECTOR, containerOf, nearest, type Lineage } from './attributes';

/** One record as the markup describes it; values are raw until validation. */
export interface ObjectMarkup {
  element: Element;
  objectID: string;
  index: string | undefined;
  queryID: string | undefined;
}

export function readObject(object: Lineage, defaultIndex: string | undefined): ObjectMarkup {
  const element = object[0] as Element;
  return {
    element,
    objectID: element.getAttribute(ATTR.objectId) ?? '',
    index: nearest(object, ATTR.index) ?? defaultIndex,
    queryID: nearest(object, ATTR.queryId),
  };
}

/** Markup numbers are decimal; an empty or malformed one is NaN, never 0. */
export function parseNumber(value: string | undefined): number {
  return value === undefined || value.trim() === '' ? Number.NaN : Number(value);
}

/**
 * The absolute 1-based position: explicit, else page × hitsPerPage + the object's rank
 * among its container's objects in document order. Only counted when a click after
 * search needs it, since it walks the container.
 */
export function positionOf(object: Lineage): number {
  const element = object[0] as Element;
  const explicit = element.getAttribute(ATTR.position);
  if (explicit !== null) return parseNumber(explicit);
  const container = containerOf(object);
  const root = element.getRootNode() as Document | ShadowRoot;
  const scope = container && container.getRootNode() === root ? container : root;
  const rank = [...scope.querySelectorAll(OBJECT_SELECTOR)].indexOf(element) + 1;
  const page = parseNumber(nearest(object, ATTR.page) ?? '0');
  return page === 0 ? rank : page * parseNumber(nearest(object, ATTR.hitsPerPage)) + rank;
}
