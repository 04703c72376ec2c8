import type { WhoAndWhen } from './events/build';
import { conversionEvents } from './events/conversions';
import type { Later } from './lib/later';
import type { Log } from './lib/log';
import { conversionOfEntry } from './events/ecommerce';
import { ATTR, ancestryOf, describeElement, type Ancestry } from './markup/ancestry';
import { readConversion, type Conversion, type ConversionKind } from './markup/conversion';
import { isIgnored } from './markup/target';
import type { Options } from './options';
import type { Attribution } from './session/attribution';
import type { Emit, Reject } from './session/emit';
import type { OrderIdMemory } from './storage/order-ids';

/** The option that names each kind of conversion's events. */
export const EVENT_NAME_OPTION = {
  plain: 'conversionEventName',
  addToCart: 'addToCartEventName',
  purchase: 'purchaseEventName',
} as const satisfies Record<ConversionKind, keyof Options>;

/**
 * Conversions, each object attributed to its search (docs/behaviour.md, Interactions): of a
 * trigger clicked or submitted, of a trigger on the page that converts on load, of a data-layer
 * entry. All go the same way; none rejects: a failure is a warning.
 */
export function conversions(
  options: Options,
  emit: Emit,
  reject: Reject,
  attribution: Attribution,
  orderIds: OrderIdMemory,
  isInactive: () => boolean,
  log: Log,
  later: Later,
) {
  const convert = async ({ kind, items, value, currency, orderId, eventName, element }: Conversion, who: WhoAndWhen) => {
    // Resolved at once once the stored queryIDs and order IDs are loaded (moments after start), so
    // that the event is queued in the same task as the click or submit, before any navigation.
    await Promise.all([attribution.loaded, orderIds.loaded]);
    // An order sent already (a reloaded or revisited confirmation page) is not sent again.
    if (isInactive() || (orderId && orderIds.recall(orderId, who.timestamp))) return;
    const resolved = items.map((item) => ({ ...item, queryID: attribution.ofConverted(item, who.timestamp) }));
    const note = (why: string) => log.debug(`${element ? describeElement(element) : options.dataLayer}: ${why}`);
    for (const draft of conversionEvents(kind, resolved, value, currency, eventName ?? options[EVENT_NAME_OPTION[kind]], who, note)) {
      const event = emit(draft, element);
      if (!event || !('objectIDs' in event)) continue;
      if (orderId) orderIds.remember(orderId, { at: who.timestamp });
      if (kind === 'purchase') attribution.forget(event.objectIDs);
      else if (kind === 'addToCart' && 'queryID' in event) attribution.remember(event.objectIDs, event.index, event.queryID, who.timestamp);
    }
  };
  const send = (conversion: Conversion, who: WhoAndWhen) => {
    // The queryIDs of clicks made just before are remembered first: the conversion may need them.
    later.runNow();
    convert(conversion, who).catch((error: unknown) => log.warn('conversion failed:', error));
  };
  // Load triggers converted: each once per page load, also where a new page of a single-page app finds it again.
  const loaded = new WeakSet<Element>();

  const ofTrigger = (trigger: Ancestry, who: WhoAndWhen) => {
    const element = trigger[0] as Element;
    const conversion = readConversion(trigger, options);
    if (!conversion.kind) reject(undefined, `${ATTR.conversion} must be "", "addToCart" or "purchase"`, element);
    else if (!conversion.items.length) {
      reject(undefined, `no object to convert: nothing matches ${ATTR.items}, and no ${ATTR.objectId} inside or around the trigger`, element);
    } else send({ ...(conversion as Conversion), element }, who);
  };

  return {
    ofTrigger,
    ofLoadTrigger(element: Element, who: WhoAndWhen) {
      const trigger = ancestryOf(element);
      if (!loaded.has(element) && !isIgnored(trigger)) ofTrigger(trigger, who);
      loaded.add(element);
    },
    /** A GA4 add_to_cart or purchase converts; a broken one is told in debug mode, other entries are no conversion. */
    ofEntry(entry: object, who: WhoAndWhen) {
      const conversion = conversionOfEntry(entry, options);
      if (typeof conversion === 'string') log.debug(`${options.dataLayer}: ${conversion}`, entry);
      else if (conversion) send(conversion, who);
    },
  };
}
