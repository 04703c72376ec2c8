import { describeElement } from '../markup/ancestry';
import type { Problem } from './problems';

export interface PanelActions {
  /** A problem was picked: its element is to be shown. */
  pick(problem: Problem): void;
  outlines(shown: boolean): void;
  badges(shown: boolean): void;
  close(): void;
}

export interface Panel {
  /** The state of QueryTrail: user token, consent, events, outbox, last answer, as label and value. */
  setStatus(fields: readonly (readonly [string, string])[]): void;
  setProblems(problems: readonly Problem[]): void;
  /** What the element hovered, focused or picked resolves to, as text. */
  setDetails(text: string): void;
}

const make = <K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = '') => {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text) element.textContent = text;
  return element;
};

/** A button that is on or off, as `aria-pressed` tells assistive technology. */
function toggle(label: string, onChange: (on: boolean) => void): HTMLButtonElement {
  const button = make('button', '', label);
  button.type = 'button';
  button.setAttribute('aria-pressed', 'true');
  button.addEventListener('click', () => {
    const on = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(on));
    onChange(on);
  });
  return button;
}

const LEGEND = [
  ['complete', 'complete'],
  ['no-query-id', 'no queryID'],
  ['rejected', 'click refused'],
  ['container', 'container'],
  ['filter', 'filter'],
  ['conversion', 'conversion trigger'],
  ['ignore', 'ignore zone'],
] as const;

/** The audit's panel: QueryTrail's state, a legend, the details of one element, and every problem, each a button to its element. */
export function createPanel(root: ShadowRoot, actions: PanelActions): Panel {
  const panel = make('section', 'panel');
  panel.setAttribute('aria-label', 'QueryTrail markup audit');
  const header = make('header');
  const title = make('h2', '', 'QueryTrail audit');
  const collapse = toggle('Panel', (open) => panel.classList.toggle('collapsed', !open));
  const close = make('button', '', 'Close');
  close.type = 'button';
  close.addEventListener('click', actions.close);
  header.append(title, toggle('Outlines', actions.outlines), toggle('Badges', actions.badges), collapse, close);

  const status = make('dl');
  const legend = make('p', 'legend');
  for (const [swatch, label] of LEGEND) {
    const item = make('span', '', label);
    item.prepend(make('span', `swatch ${swatch}`));
    legend.append(item);
  }
  const details = make('pre', 'details');
  details.setAttribute('aria-live', 'polite');
  const heading = make('h3');
  const list = make('ol');
  panel.append(header, status, legend, details, heading, list);
  root.append(panel);

  const problemOf = new WeakMap<Element, Problem>();
  return {
    setStatus(fields) {
      status.replaceChildren(...fields.flatMap(([label, value]) => [make('dt', '', label), make('dd', '', value)]));
    },
    setProblems(problems) {
      heading.textContent = problems.length ? `Problems (${problems.length})` : 'No problem found in the markup';
      // The list is drawn anew on every change of the page: the problem a keyboard user is on keeps the focus.
      const focused = problemOf.get(root.activeElement as Element);
      list.replaceChildren(
        ...problems.map((problem) => {
          const button = make('button');
          button.type = 'button';
          button.dataset.rule = problem.rule;
          button.append(make('span', 'rule', problem.rule), problem.message, ' ', make('span', 'where', describeElement(problem.element)));
          button.addEventListener('click', () => actions.pick(problem));
          problemOf.set(button, problem);
          if (focused?.rule === problem.rule && focused.element === problem.element) queueMicrotask(() => button.focus());
          const item = make('li');
          item.append(button);
          return item;
        }),
      );
    },
    setDetails(text) {
      details.textContent = text;
    },
  };
}
