/** The Insights API takes at most 20 objectIDs or filters per event. */
export const MAX_ITEMS_PER_EVENT = 20;

/**
 * Groups items by key (groups in the order of their first item, items in their order) and
 * splits each group into runs of at most MAX_ITEMS_PER_EVENT: one run per event.
 */
export function groupPerEvent<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[][]>();
  for (const item of items) {
    const key = keyOf(item);
    const runs = groups.get(key) ?? [];
    const last = runs.at(-1);
    if (last && last.length < MAX_ITEMS_PER_EVENT) last.push(item);
    else runs.push([item]);
    groups.set(key, runs);
  }
  return [...groups.values()].flat();
}
