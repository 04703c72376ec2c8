import { viewEvents, type WhoAndWhen } from './events/build';
import { validateEvent } from './events/schemas';
import { ancestryOf, eventNameOf } from './markup/ancestry';
import { readObject } from './markup/object';
import { isIgnored } from './markup/target';
import type { Options } from './options';
import type { Emit, Reject } from './session/emit';

/**
 * Views of objects seen long enough (docs/behaviour.md, Views): each object counts once per
 * queryID, or once per page where it has none; none inside an ignore zone. `newPage` is a new
 * page of a single-page app.
 */
export function views(options: Options, emit: Emit, reject: Reject, whoAndWhen: (timestamp: number) => WhoAndWhen, isInactive: () => boolean) {
  const viewedPerQuery = new Set<string>();
  let viewedOnThisPage = new Set<string>();

  const report = (objects: Element[]) => {
    if (isInactive()) return;
    const who = whoAndWhen(Date.now());
    const fresh = objects.flatMap((element) => {
      const ancestry = ancestryOf(element);
      const { objectID, index, queryID } = readObject(ancestry, options.index);
      const viewed = queryID ? viewedPerQuery : viewedOnThisPage;
      const key = `${index}\n${queryID}\n${objectID}`;
      if (viewed.has(key) || isIgnored(ancestry)) return [];
      viewed.add(key);
      const view = { objectID, index, eventName: eventNameOf(ancestry, options.viewEventName) };
      // Checked one by one first, so that one broken object does not take 19 valid views down with it.
      const [alone] = viewEvents([view], who);
      const result = validateEvent(alone);
      if (result.ok) return [view];
      reject(alone, result.rule, element);
      return [];
    });
    for (const event of viewEvents(fresh, who)) emit(event);
  };
  return {
    report,
    newPage() {
      viewedOnThisPage = new Set();
    },
  };
}
