import { ATTR, OBJECT_SELECTOR, containerOf, nearest, type Ancestry } from './ancestry';

/** One record as the markup describes it; values are raw until validation. */
export interface ObjectMarkup {
  element: Element;
  objectID: string;
  index: string | undefined;
  queryID: string | undefined;
}

export function readObject(object: Ancestry, defaultIndex: string | undefined): ObjectMarkup {
  const element = object[0] as Element;
  return {
    element,
    objectID: element.getAttribute(ATTR.objectId) ?? '',
    index: nearest(object, ATTR.index) ?? defaultIndex,
    queryID: nearest(object, ATTR.queryId),
  };
}

/** Markup numbers are decimal; an empty or malformed one is NaN, never 0, and a missing one stays missing. */
export function parseNumber(value: string): number;
export function parseNumber(value: string | undefined): number | undefined;
export function parseNumber(value: string | undefined) {
  return value === undefined ? value : value.trim() === '' ? Number.NaN : Number(value);
}

/** The objects under `scope` in document order, with those in the open shadow roots of its elements. */
const objectsAcrossShadowRoots = (scope: ParentNode): Element[] =>
  [...scope.querySelectorAll('*')].flatMap((element) => [
    ...(element.hasAttribute(ATTR.objectId) ? [element] : []),
    ...(element.shadowRoot ? objectsAcrossShadowRoots(element.shadowRoot) : []),
  ]);

/**
 * The absolute 1-based position: explicit (on the object or an ancestor), else page ×
 * hitsPerPage + the object's rank among its container's objects in document order. Only
 * counted when a click after search needs it, since it walks the container.
 */
export function positionOf(object: Ancestry): number {
  const element = object[0] as Element;
  const explicit = nearest(object, ATTR.position);
  if (explicit !== undefined) return parseNumber(explicit);
  const scope = containerOf(object) ?? document;
  // An object in a shadow root below its container (a card rendered by a web component) is
  // ranked among the objects of every card; the container's own tree is listed at once.
  const objects = scope.getRootNode() === element.getRootNode() ? [...scope.querySelectorAll(OBJECT_SELECTOR)] : objectsAcrossShadowRoots(scope);
  const rank = objects.indexOf(element) + 1;
  const page = parseNumber(nearest(object, ATTR.page) ?? '0');
  // Past page 0, a missing hitsPerPage makes the position NaN, never a plausible number.
  return page === 0 ? rank : page * parseNumber(nearest(object, ATTR.hitsPerPage) ?? '') + rank;
}
