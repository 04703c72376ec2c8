import { filterClicks, objectClick, type WhoAndWhen } from './events/build';
import { ATTR, eventNameOf, nearest, type Ancestry } from './markup/ancestry';
import { parseFilters } from './markup/filters';
import { positionOf, readObject } from './markup/object';
import type { Later } from './lib/later';
import type { Options } from './options';
import type { Attribution } from './session/attribution';
import type { Emit } from './session/emit';

/**
 * Clicks on objects and on filters (docs/behaviour.md, Interactions). The markup is read in the
 * click's own task, as the page stands at the click; the event is validated, queued, announced and
 * remembered `later`, in a task of its own (docs/behaviour.md, What a click costs the page).
 */
export function objectAndFilterClicks(options: Options, emit: Emit, attribution: Attribution, later: Later) {
  /** A click on an object: after a search where its queryID is known, and then remembered for later pages. */
  const clickObject = (object: Ancestry, path: Ancestry, who: WhoAndWhen) => {
    const markup = readObject(object, options.index);
    const queryID = attribution.ofMarkup(markup);
    // Counted only after a search, where it is sent: it walks the container.
    const position = queryID ? positionOf(object) : undefined;
    const eventName = eventNameOf(path, options.clickEventName);
    later.add(() => {
      const event = emit(objectClick({ ...markup, queryID, position }, eventName, who), markup.element);
      if (event && 'queryID' in event) attribution.remember(event.objectIDs, event.index, event.queryID, who.timestamp);
    });
  };

  const clickFilter = (filter: Ancestry, path: Ancestry, who: WhoAndWhen) => {
    const element = filter[0] as Element;
    const filters = parseFilters(element.getAttribute(ATTR.filter) ?? '');
    const index = nearest(filter, ATTR.index) ?? options.index;
    const eventName = eventNameOf(path, options.filterEventName);
    later.add(() => {
      for (const event of filterClicks(filters, index, eventName, who)) emit(event, element);
    });
  };

  return { clickObject, clickFilter };
}
