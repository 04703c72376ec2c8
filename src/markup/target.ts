import { ATTR, type Ancestry } from './ancestry';

/** What a click landed on: an object, a filter or a conversion trigger, with its ancestry. */
export interface ClickTarget {
  kind: 'object' | 'filter' | 'conversion';
  ancestry: Ancestry;
}

/** Whether the element of the ancestry is in an ignore zone, where nothing is sent (docs/behaviour.md, Markup). */
export const isIgnored = (ancestry: Ancestry) => ancestry.some((element) => element.hasAttribute(ATTR.ignore));

/** A trigger with `data-insights-on="load"` converts once it is on the page (a confirmation page), never on a click or submit. */
export const LOAD_TRIGGER_SELECTOR = `[${ATTR.conversion}][${ATTR.on}=load]`;
export const convertsOnLoad = (element: Element) => element.matches(LOAD_TRIGGER_SELECTOR);

/**
 * Ignore zones win over everything; the nearest button or link conversion trigger takes the
 * click for its conversion, also from an object inside it, and so does a form trigger's submit
 * control (the form converts on `submit`); otherwise the nearer of a filter and an object is
 * what the user meant. A trigger that converts on load takes no click: it is no trigger here.
 */
export function clickTargetOf(path: Ancestry): ClickTarget | undefined {
  if (isIgnored(path)) return undefined;
  let target: ClickTarget | undefined;
  let submitting = false;
  // The control of the label clicked, if any.
  let control: HTMLElement | null = null;
  for (const [depth, element] of path.entries()) {
    control ||= (element as HTMLLabelElement).control;
    const isTrigger = element.hasAttribute(ATTR.conversion) && !convertsOnLoad(element);
    if (element.localName === 'form') {
      if (isTrigger && submitting) return undefined;
      continue;
    }
    // The `type` property, unlike the attribute, is "submit" for a button whose type is missing or invalid.
    submitting ||= ['submit', 'image'].includes((element as HTMLButtonElement).type);
    // A trigger takes the click from an object or filter inside it, not from a trigger inside it.
    if (target && (!isTrigger || target.kind === 'conversion')) continue;
    const kind = isTrigger ? 'conversion' : element.hasAttribute(ATTR.filter) ? 'filter' : element.hasAttribute(ATTR.objectId) ? 'object' : undefined;
    if (kind) target = { kind, ancestry: path.slice(depth) };
  }
  // The browser follows a click on a label with one on its control: where that one reaches
  // the same target, it alone counts.
  return control && !path.includes(control) && target?.ancestry[0]?.contains(control) ? undefined : target;
}

/** Whether a `submit` event on the ancestry's form converts: a form trigger outside any ignore zone. */
export function convertsOnSubmit(form: Ancestry): boolean {
  const [element] = form;
  return element?.localName === 'form' && element.hasAttribute(ATTR.conversion) && !convertsOnLoad(element) && !isIgnored(form);
}
