import { ATTR } from '../markup/ancestry';
import type { ConvertedItem, Explanation, QueryIdSource } from './explain';

/** The first 8 characters of a queryID: enough to tell searches apart on a badge. */
const short = (queryID: string | undefined) => (queryID ? queryID.slice(0, 8) : 'no queryID');

/** "remembered 3 min ago", "landing", "markup", or "none: why". */
export function describeSource(source: QueryIdSource): string {
  if (source.source === 'remembered') return `remembered ${Math.round(source.ageMs / 60_000)} min ago`;
  if (source.source === 'none') return `none: ${source.reason}`;
  return source.source;
}

type Role = 'object' | 'container' | 'filter' | 'conversion' | 'ignore' | 'unread';

/** The outlines an element gets, one per role, each with its badge's text and its colour class. */
function outlinesOf({ element, ignored, object, container, filter, conversion }: Explanation): [Role, string, string][] {
  const outlines: [Role, string, string][] = [];
  if (element.hasAttribute(ATTR.ignore)) outlines.push(['ignore', 'ignored', '']);
  if (container) {
    const { index, queryID, page, hitsPerPage } = container;
    const paging = page === undefined && hitsPerPage === undefined ? [] : [`page ${page ?? '0'} × ${hitsPerPage ?? '?'}`];
    outlines.push(['container', [index ?? 'no index', ...(queryID ? [short(queryID)] : []), ...paging].join(' · '), '']);
  }
  if (object) {
    const text = `${object.index ?? 'no index'} · ${short(object.queryID)} · #${object.position} · ${object.eventName}`;
    outlines.push(['object', object.click.sent ? text : `✗ ${object.click.rule}`, object.status]);
  }
  if (filter) {
    const status = ignored ? 'ignored' : filter.click.some((outcome) => !outcome.sent) ? 'rejected' : '';
    outlines.push(['filter', filter.filters.join(', ') || 'no filter', status]);
  }
  if (conversion) {
    const refused = conversion.events.find((outcome) => !outcome.sent);
    const kind = conversion.kind ?? 'unknown kind';
    const text = `${kind}${conversion.onLoad ? ' on load' : ''} · ${conversion.items.length} object(s) · ${conversion.eventName}`;
    outlines.push(['conversion', refused && !refused.sent ? `✗ ${refused.rule}` : text, refused ? 'rejected' : '']);
  }
  // Markup QueryTrail reads nothing from (a misspelt name): outlined, so that it is noticed.
  if (!outlines.length) outlines.push(['unread', 'not read by QueryTrail', 'rejected']);
  return outlines;
}

export interface Overlay {
  /** Draws the outlines of these explanations, replacing those drawn before. */
  render(explanations: readonly Explanation[]): void;
  /** Places the outlines over their elements, where they are now. */
  layout(): void;
  /** Flashes the outlines of elements whose event was just sent (or refused). */
  flash(elements: Iterable<Element>, outcome: 'sent' | 'rejected'): void;
  /** Highlights the objects a hovered or focused trigger converts, each with its queryID's source; none clears it. */
  cover(items: readonly ConvertedItem[]): void;
  /** Marks the element a problem points to. */
  select(element: Element | undefined): void;
  setShown(shown: boolean): void;
  setBadges(shown: boolean): void;
}

export function createOverlay(root: ShadowRoot, layoutSheet: CSSStyleSheet): Overlay {
  const layer = document.createElement('div');
  layer.className = 'layer';
  layer.setAttribute('aria-hidden', 'true');
  root.append(layer);
  let boxes: { element: Element; box: HTMLElement; id: string }[] = [];
  const boxesOf = (element: Element) => boxes.filter((drawn) => drawn.element === element).map(({ box }) => box);
  let covered: HTMLElement[] = [];
  /** Elements flashing now: a redraw meanwhile (the event itself may cause one) keeps them flashing. */
  const flashing = new Map<Element, 'sent' | 'rejected'>();

  const layout = () => {
    const rules: string[] = [];
    const [width, height] = [innerWidth, innerHeight];
    for (const { element, id } of boxes) {
      if (!element.isConnected) continue;
      const { left, top, right, bottom } = element.getBoundingClientRect();
      if (right <= left || bottom <= top || bottom < 0 || right < 0 || top > height || left > width) continue;
      // Positions go into a constructable stylesheet too: a style attribute is what a strict CSP refuses.
      rules.push(`#${id}{display:block;transform:translate(${left}px,${top}px);width:${right - left}px;height:${bottom - top}px}`);
    }
    layoutSheet.replaceSync(rules.join('\n'));
  };

  return {
    render(explanations) {
      layer.replaceChildren();
      covered = [];
      boxes = explanations.flatMap((explanation) =>
        outlinesOf(explanation).map(([role, text, status]) => {
          const box = document.createElement('div');
          const id = `b${layer.childElementCount}`;
          box.id = id;
          const flash = flashing.get(explanation.element);
          box.className = `box ${role} ${status} ${flash ? `flash-${flash}` : ''}`.trim();
          const badge = document.createElement('span');
          badge.className = 'badge';
          badge.textContent = text;
          box.append(badge);
          layer.append(box);
          return { element: explanation.element, box, id };
        }),
      );
      layout();
    },
    layout,
    flash(elements, outcome) {
      for (const element of elements) {
        flashing.set(element, outcome);
        for (const box of boxesOf(element)) {
          box.classList.remove('flash-sent', 'flash-rejected');
          // Restarted on the next frame, so that a second event on the same element flashes again.
          requestAnimationFrame(() => box.classList.add(`flash-${outcome}`));
        }
        setTimeout(() => {
          if (flashing.get(element) === outcome) flashing.delete(element);
          for (const box of boxesOf(element)) box.classList.remove(`flash-${outcome}`);
        }, 1000);
      }
    },
    cover(items) {
      for (const box of covered) {
        box.classList.remove('covered');
        box.querySelector('.source')?.remove();
      }
      covered = items.flatMap((item) =>
        boxesOf(item.element)
          .filter((box) => box.classList.contains('object'))
          .map((box) => {
            const source = document.createElement('span');
            source.className = 'badge source';
            source.textContent = `${short(item.queryID.source === 'none' ? undefined : item.queryID.queryID)} · ${describeSource(item.queryID)}`;
            box.append(source);
            box.classList.add('covered');
            return box;
          }),
      );
    },
    select(element) {
      for (const { box } of boxes) box.classList.remove('selected');
      if (element) for (const box of boxesOf(element)) box.classList.add('selected');
    },
    setShown: (shown) => layer.classList.toggle('off', !shown),
    setBadges: (shown) => layer.classList.toggle('no-badges', !shown),
  };
}
