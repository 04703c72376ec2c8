import { QUERY_ID_RULE, SEARCH_QUERY_ID } from '../events/schemas';
import { ATTR, ancestryOf, containerOf, nearest } from '../markup/ancestry';
import { parseNumber } from '../markup/object';
import { explain, type AuditContext, type Explanation } from './explain';

/** The rules the audit checks the markup against (docs/behaviour.md, Markup audit), each with what it means. */
export const RULES = {
  'unknown-attribute': 'a data-insights-* name QueryTrail does not know: it is ignored',
  'object-without-index': 'an object with no data-insights-index around it and no index option: its events are refused',
  'malformed-query-id': `a data-insights-query-id that is not ${QUERY_ID_RULE}: its events go without it`,
  'duplicate-position': 'two objects of one container at the same position',
  'impossible-position': 'a position that is no whole number from 1: a click after search is refused',
  'page-without-hits-per-page': 'data-insights-page past 0 without data-insights-hits-per-page: positions cannot be counted',
  'not-a-number': 'a price, quantity, discount, value or paging number that is no decimal number',
  'purchase-without-currency': 'a purchase (or an add-to-cart with prices) without a currency: its revenue is left out',
  'items-match-nothing': 'a conversion trigger whose data-insights-items matches no object: nothing is converted',
  'trigger-without-objects': 'a conversion trigger with no object inside it, around it or named by data-insights-items',
  'unknown-conversion-kind': 'data-insights-conversion must be "", "addToCart" or "purchase"',
  'unknown-on': 'data-insights-on must be "load": any other value makes a trigger that converts on a click',
  'click-rejected': 'a click on this object would be refused',
  'filter-rejected': 'a click on this filter would be refused',
  'conversion-rejected': 'this conversion would be refused',
} as const;

export type Rule = keyof typeof RULES;

export interface Problem {
  rule: Rule;
  element: Element;
  /** What is wrong with this element, in a sentence. */
  message: string;
}

/** Every attribute name QueryTrail reads (docs/behaviour.md, Markup). */
const KNOWN_NAMES: readonly string[] = Object.values(ATTR);

/** Looks like a QueryTrail attribute: `data-insights-…`, also misspelt as `data-insight-…` or with `_`. */
const LOOKS_LIKE_OURS = /^data-insights?[-_]/;

/** The number of single-character edits between two names. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] as number;
}

/** The known name nearest to `name`, if near enough to be what was meant. */
export function closestName(name: string): string | undefined {
  const [best] = KNOWN_NAMES.map((known) => [known, editDistance(name, known)] as const).sort(([, a], [, b]) => a - b);
  return best && best[1] <= Math.max(3, Math.floor(name.length / 4)) ? best[0] : undefined;
}

/** The elements of `root` that carry any attribute like QueryTrail's, in document order, with those in open shadow roots. */
export function markedElements(root: Document | ShadowRoot | Element): Element[] {
  return [...root.querySelectorAll('*')].flatMap((element) => [
    ...(element.getAttributeNames().some((name) => LOOKS_LIKE_OURS.test(name)) ? [element] : []),
    ...(element.shadowRoot ? markedElements(element.shadowRoot) : []),
  ]);
}

const NUMBER_ATTRS = [ATTR.price, ATTR.quantity, ATTR.discount, ATTR.value, ATTR.page, ATTR.hitsPerPage, ATTR.position];

/** The rules one element breaks on its own. */
function problemsOf(explanation: Explanation): Problem[] {
  const { element, object, filter, conversion } = explanation;
  const found: Problem[] = [];
  const add = (rule: Rule, message: string) => found.push({ rule, element, message });

  for (const name of element.getAttributeNames()) {
    if (!LOOKS_LIKE_OURS.test(name) || KNOWN_NAMES.includes(name)) continue;
    const closest = closestName(name);
    add('unknown-attribute', `${name} is not a QueryTrail attribute${closest ? `: did you mean ${closest}?` : ''}`);
  }
  const queryID = element.getAttribute(ATTR.queryId);
  if (queryID && !SEARCH_QUERY_ID.test(queryID)) add('malformed-query-id', `${ATTR.queryId}="${queryID}" is not ${QUERY_ID_RULE}`);
  for (const attr of NUMBER_ATTRS) {
    const value = element.getAttribute(attr);
    if (value !== null && Number.isNaN(parseNumber(value))) add('not-a-number', `${attr}="${value}" is not a number`);
  }
  const page = parseNumber(element.getAttribute(ATTR.page) ?? undefined);
  if (page && page > 0 && nearest(ancestryOf(element), ATTR.hitsPerPage) === undefined) {
    add('page-without-hits-per-page', `${ATTR.page}="${page}" without ${ATTR.hitsPerPage}: positions past page 0 cannot be counted`);
  }
  const on = element.getAttribute(ATTR.on);
  if (on !== null && on !== 'load' && element.hasAttribute(ATTR.conversion)) add('unknown-on', `${ATTR.on}="${on}" is not "load"`);

  if (object && !explanation.ignored) {
    if (object.index === undefined) add('object-without-index', `object ${object.objectID} has no index`);
    const explicit = nearest(ancestryOf(element), ATTR.position);
    if (!Number.isNaN(object.position) && !(Number.isInteger(object.position) && object.position >= 1)) {
      add(
        'impossible-position',
        `position ${object.position}${explicit === undefined ? '' : ` (${ATTR.position}="${explicit}")`} is no whole number from 1`,
      );
    }
    if (!object.click.sent && !found.length) add('click-rejected', object.click.rule);
  }
  if (filter && !explanation.ignored) {
    const refused = filter.click.find((outcome) => !outcome.sent);
    if (refused && !refused.sent) add('filter-rejected', refused.rule);
  }
  if (conversion) {
    const selector = element.getAttribute(ATTR.items);
    const refused = conversion.events.find((outcome) => !outcome.sent);
    if (!conversion.kind)
      add('unknown-conversion-kind', `${ATTR.conversion}="${element.getAttribute(ATTR.conversion)}" is not "", "addToCart" or "purchase"`);
    else if (!conversion.items.length && selector) add('items-match-nothing', `${ATTR.items}="${selector}" matches no object`);
    else if (!conversion.items.length) add('trigger-without-objects', 'no object inside, around or named by data-insights-items');
    else if (refused && !refused.sent) add('conversion-rejected', refused.rule);
    const priced = conversion.items.length && (conversion.value !== undefined || conversion.notes.length);
    if (!conversion.currency && (conversion.kind === 'purchase' || (conversion.kind === 'addToCart' && priced))) {
      add('purchase-without-currency', `no ${ATTR.currency} here or above, and no currency option: revenue is left out`);
    }
  }
  return found;
}

/** Objects of one container that share a position; the later ones are named. */
function duplicatePositions(explanations: readonly Explanation[]): Problem[] {
  const byContainer = new Map<Element | undefined, Map<number, Element>>();
  const found: Problem[] = [];
  for (const { element, object, ignored } of explanations) {
    if (!object || ignored || !Number.isFinite(object.position)) continue;
    const container = containerOf(ancestryOf(element));
    const positions = byContainer.get(container) ?? new Map<number, Element>();
    byContainer.set(container, positions);
    const first = positions.get(object.position);
    if (first)
      found.push({
        rule: 'duplicate-position',
        element,
        message: `position ${object.position} again: ${first.getAttribute(ATTR.objectId)} has it too`,
      });
    else positions.set(object.position, element);
  }
  return found;
}

/** Every problem of the marked-up elements of `root`, in document order, the explanations they come from alongside. */
export function auditMarkup(root: Document | ShadowRoot | Element, context: AuditContext): { explanations: Explanation[]; problems: Problem[] } {
  const explanations = markedElements(root).map((element) => explain(element, context));
  const order = new Map(explanations.map(({ element }, rank) => [element, rank]));
  const problems = [...explanations.flatMap(problemsOf), ...duplicatePositions(explanations)];
  // In document order, as a person reads the page.
  problems.sort((a, b) => (order.get(a.element) ?? 0) - (order.get(b.element) ?? 0));
  return { explanations, problems };
}
