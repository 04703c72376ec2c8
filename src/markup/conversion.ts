import { ATTR, OBJECT_SELECTOR, ancestryOf, nearest, type Ancestry } from './ancestry';
import { parseNumber, readObject, type ObjectMarkup } from './object';

export type ConversionKind = 'plain' | 'addToCart' | 'purchase';

/** An object a conversion covers, with its revenue data; `element` where it comes from the markup. */
export interface ConversionItem {
  objectID: string;
  index: string | undefined;
  queryID?: string | undefined;
  price: number | undefined;
  quantity: number;
  discount: number | undefined;
  element?: Element | undefined;
}

export interface ItemMarkup extends ObjectMarkup, Omit<ConversionItem, 'element' | 'queryID'> {}

/** A conversion to send, from a trigger's markup or from a data-layer entry. */
export interface Conversion {
  kind: ConversionKind;
  items: ConversionItem[];
  value: number | undefined;
  currency: string | undefined;
  /** An order's ID (an empty one is none): a conversion whose order ID was sent already is not sent again. */
  orderId: string | undefined;
  /** Where unset, the option that names this kind of conversion. */
  eventName?: string | undefined;
  /** The trigger, named in warnings. */
  element?: Element | undefined;
}

export interface ConversionMarkup extends Omit<Conversion, 'kind'> {
  kind: ConversionKind | undefined;
  items: ItemMarkup[];
}

/**
 * The objects a trigger converts: those its `data-insights-items` selector matches, else
 * the objects inside it, else the object it sits in.
 */
function objectsOf(trigger: Ancestry): Ancestry[] {
  const element = trigger[0] as Element;
  const selector = element.getAttribute(ATTR.items);
  const root = element.getRootNode() as Document | ShadowRoot;
  let matched: Element[] = [];
  try {
    matched = [...(selector ? root : element).querySelectorAll(selector || OBJECT_SELECTOR)];
  } catch {
    // An invalid selector matches nothing; the conversion is then refused by name.
  }
  // Without a selector and without objects inside, the object around the trigger.
  if (!selector && !matched.length) matched = trigger.filter((ancestor) => ancestor.hasAttribute(ATTR.objectId)).slice(0, 1);
  return matched.flatMap((match) => (match.hasAttribute(ATTR.objectId) ? match : [...match.querySelectorAll(OBJECT_SELECTOR)])).map(ancestryOf);
}

export function readConversion(trigger: Ancestry, defaults: { index?: string | undefined; currency?: string | undefined }): ConversionMarkup {
  // The trigger has the attribute, so the nearest one is its own.
  const kind = nearest(trigger, ATTR.conversion) ?? '';
  return {
    kind: kind === 'addToCart' || kind === 'purchase' ? kind : kind === '' ? 'plain' : undefined,
    items: objectsOf(trigger).map(
      (object): ItemMarkup => ({
        ...readObject(object, defaults.index),
        price: parseNumber(nearest(object, ATTR.price)),
        quantity: parseNumber(nearest(object, ATTR.quantity)) ?? 1,
        discount: parseNumber(nearest(object, ATTR.discount)),
      }),
    ),
    value: parseNumber(nearest(trigger, ATTR.value)),
    currency: nearest(trigger, ATTR.currency) ?? defaults.currency,
    orderId: nearest(trigger, ATTR.orderId),
    eventName: nearest(trigger, ATTR.eventName),
  };
}
