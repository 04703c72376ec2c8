import { groupPerEvent } from './groups';
import type { EventOf } from './schemas';

/** Who acted and when: stamped on every event at the moment of the interaction. */
export interface WhoAndWhen {
  userToken: string;
  authenticatedUserToken: string | undefined;
  timestamp: number;
}

/** The fields that have a value: an event leaves out what it lacks rather than send it as undefined. */
export function withoutUndefined<Fields extends object>(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Fields;
}

/** An event: the fields every event has (docs/behaviour.md, Interactions), then its type and its own fields. */
export function eventOf<Type extends string, Fields extends object>(
  eventType: Type,
  eventName: string,
  index: string | undefined,
  stamp: WhoAndWhen,
  fields: Fields,
) {
  return withoutUndefined({ eventName, index: index ?? '', ...stamp, eventType, ...fields });
}

export interface ClickedObject {
  objectID: string;
  index: string | undefined;
  queryID: string | undefined;
  /** Given with a queryID only: a click after search has one, and no other click does. */
  position: number | undefined;
}

export function objectClick(
  object: ClickedObject,
  eventName: string,
  stamp: WhoAndWhen,
): EventOf<'clickedObjectIDsAfterSearch'> | EventOf<'clickedObjectIDs'> {
  const { queryID, position } = object;
  return eventOf('click', eventName, object.index, stamp, {
    objectIDs: [object.objectID],
    queryID,
    positions: position === undefined ? undefined : [position],
  });
}

export function filterClicks(
  filters: readonly string[],
  index: string | undefined,
  eventName: string,
  stamp: WhoAndWhen,
): EventOf<'clickedFilters'>[] {
  // No filter at all still makes one event, so validation names the broken markup.
  const runs = filters.length ? groupPerEvent(filters, () => '') : [[]];
  return runs.map((run) => eventOf('click', eventName, index, stamp, { filters: run }));
}

export interface ViewedObject {
  objectID: string;
  index: string | undefined;
  eventName: string;
}

/** One `viewedObjectIDs` event per index and event name, of at most 20 objectIDs each. */
export function viewEvents(objects: readonly ViewedObject[], stamp: WhoAndWhen): EventOf<'viewedObjectIDs'>[] {
  return groupPerEvent(objects, (object) => `${object.index}\n${object.eventName}`).map((run) => {
    const { eventName, index } = run[0] as ViewedObject;
    return eventOf('view', eventName, index, stamp, { objectIDs: run.map((object) => object.objectID) });
  });
}
