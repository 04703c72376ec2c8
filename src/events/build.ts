import { chunk, groupBy } from '../lib/lists';
import type { EventOf } from './schemas';

/** Who acted and when: stamped on every event at the moment of the interaction. */
export interface Stamp {
  userToken: string;
  authenticatedUserToken: string | undefined;
  timestamp: number;
}

/** The Insights API takes at most 20 objectIDs or filters per event. */
export const MAX_ITEMS = 20;

export function envelope(eventName: string, index: string | undefined, stamp: Stamp) {
  return {
    eventName,
    index: index ?? '',
    userToken: stamp.userToken,
    ...(stamp.authenticatedUserToken === undefined ? {} : { authenticatedUserToken: stamp.authenticatedUserToken }),
    timestamp: stamp.timestamp,
  };
}

export interface ClickedObject {
  objectID: string;
  index: string | undefined;
  queryID: string | undefined;
  /** Only needed, and only computed, when there is a queryID. */
  position: () => number;
}

export function objectClick(
  object: ClickedObject,
  eventName: string,
  stamp: Stamp,
): EventOf<'clickedObjectIDsAfterSearch'> | EventOf<'clickedObjectIDs'> {
  const base = { ...envelope(eventName, object.index, stamp), eventType: 'click' as const, objectIDs: [object.objectID] };
  return object.queryID === undefined ? base : { ...base, queryID: object.queryID, positions: [object.position()] };
}

export function filterClicks(
  filters: readonly string[],
  index: string | undefined,
  eventName: string,
  stamp: Stamp,
): EventOf<'clickedFilters'>[] {
  // No filter at all still makes one event, so validation names the broken markup.
  const runs = filters.length ? chunk(filters, MAX_ITEMS) : [[]];
  return runs.map((run) => ({ ...envelope(eventName, index, stamp), eventType: 'click', filters: run }));
}

export interface ViewedObject {
  objectID: string;
  index: string | undefined;
  eventName: string;
}

/** One `viewedObjectIDs` event per index and event name, of at most 20 objectIDs each. */
export function viewEvents(objects: readonly ViewedObject[], stamp: Stamp): EventOf<'viewedObjectIDs'>[] {
  return groupBy(objects, (object) => `${object.index}\n${object.eventName}`)
    .flatMap((group) => chunk(group, MAX_ITEMS))
    .map((run) => ({
      ...envelope((run[0] as ViewedObject).eventName, (run[0] as ViewedObject).index, stamp),
      eventType: 'view',
      objectIDs: run.map((object) => object.objectID),
    }));
}
