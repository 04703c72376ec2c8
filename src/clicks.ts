import { filterClicks, objectClick, type WhoAndWhen } from './events/build';
import { ATTR, eventNameOf, nearest, type Ancestry } from './markup/ancestry';
import { parseFilters } from './markup/filters';
import { positionOf, readObject } from './markup/object';
import type { Options } from './options';
import type { Attribution } from './session/attribution';
import type { Emit } from './session/emit';

/** Clicks on objects and on filters (docs/behaviour.md, Interactions). */
export function objectAndFilterClicks(options: Options, emit: Emit, attribution: Attribution) {
  /** A click on an object: after a search where its queryID is known, and then remembered for later pages. */
  const clickObject = (object: Ancestry, path: Ancestry, who: WhoAndWhen) => {
    const markup = readObject(object, options.index);
    const click = objectClick(
      { ...markup, queryID: attribution.ofMarkup(markup), position: () => positionOf(object) },
      eventNameOf(path, options.clickEventName),
      who,
    );
    const event = emit(click, markup.element);
    if (event && 'queryID' in event) attribution.remember(event.objectIDs, event.index, event.queryID, who.timestamp);
  };

  const clickFilter = (filter: Ancestry, path: Ancestry, who: WhoAndWhen) => {
    const element = filter[0] as Element;
    const filters = parseFilters(element.getAttribute(ATTR.filter) ?? '');
    const index = nearest(filter, ATTR.index) ?? options.index;
    for (const event of filterClicks(filters, index, eventNameOf(path, options.filterEventName), who)) emit(event, element);
  };

  return { clickObject, clickFilter };
}
