import type { WhoAndWhen } from './events/build';
import { conversionEvents } from './events/conversions';
import type { Log } from './lib/log';
import { ATTR, describeElement, eventNameOf, type Ancestry } from './markup/ancestry';
import { readConversion, type ConversionKind } from './markup/conversion';
import type { Options } from './options';
import type { Attribution } from './session/attribution';
import type { Emit, Reject } from './session/emit';

/** The option that names each kind of conversion's events. */
const EVENT_NAME_OPTION = {
  plain: 'conversionEventName',
  addToCart: 'addToCartEventName',
  purchase: 'purchaseEventName',
} as const satisfies Record<ConversionKind, keyof Options>;

/**
 * Conversions of a trigger's objects, each attributed to its search (docs/behaviour.md, Interactions).
 * The function returned never rejects: a failure is a warning.
 */
export function conversions(options: Options, emit: Emit, reject: Reject, attribution: Attribution, isInactive: () => boolean, log: Log) {
  const convert = async (trigger: Ancestry, who: WhoAndWhen) => {
    const element = trigger[0] as Element;
    const { kind, items, value, currency } = readConversion(trigger, options);
    if (!kind) {
      reject(undefined, `${ATTR.conversion} must be "", "addToCart" or "purchase"`, element);
      return;
    }
    if (!items.length) {
      reject(undefined, `no object to convert: nothing matches ${ATTR.items}, and no ${ATTR.objectId} inside or around the trigger`, element);
      return;
    }
    // Resolved at once once the stored queryIDs are loaded (moments after start), so that the
    // event is queued in the same task as the click or submit, before any navigation.
    await attribution.loaded;
    const resolved = items.map((item) => ({ ...item, queryID: attribution.ofConverted(item, who.timestamp) }));
    if (isInactive()) return;
    const eventName = eventNameOf(trigger, options[EVENT_NAME_OPTION[kind]]);
    const note = (why: string) => log.debug(`${describeElement(element)}: ${why}`);
    for (const draft of conversionEvents(kind, resolved, value, currency, eventName, who, note)) {
      const event = emit(draft, element);
      if (!event || !('objectIDs' in event)) continue;
      if (kind === 'purchase') attribution.forget(event.objectIDs);
      else if (kind === 'addToCart' && 'queryID' in event) attribution.remember(event.objectIDs, event.index, event.queryID, who.timestamp);
    }
  };

  return (trigger: Ancestry, who: WhoAndWhen) => {
    convert(trigger, who).catch((error: unknown) => log.warn('conversion failed:', error));
  };
}
