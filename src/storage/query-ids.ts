import { keepEntries, type KeptEntries, type KeptEntriesOptions } from './kept-entries';

/** The search that led the user to an object; `at` is when, in ms since the epoch. */
export interface RememberedQuery {
  index: string;
  queryID: string;
  at: number;
}

/** Remembers which search led to each objectID, so that a later page can attribute a conversion to it. Never throws, never rejects. */
export interface QueryIdMemory extends Omit<KeptEntries<RememberedQuery>, 'recall'> {
  /**
   * The queryID remembered for the object in this index, unless it is `ttlMs` old at `now`.
   * Synchronous, from memory: what earlier pages stored is there once `loaded` resolves.
   * `index` is undefined for an object without one, whose event is refused for that anyway.
   */
  recall(objectID: string, index: string | undefined, now: number): string | undefined;
}

/** The IndexedDB database the remembered queryIDs are kept in (read by the markup audit too). */
export const QUERY_IDS_DB = 'querytrail-query-ids';

export function createQueryIdMemory(options: KeptEntriesOptions): QueryIdMemory {
  // An entry of another version of the script without a string queryID counts as expired.
  const kept = keepEntries<RememberedQuery>(QUERY_IDS_DB, (entry) => typeof entry?.queryID === 'string', options);
  return {
    ...kept,
    recall(objectID, index, now) {
      const entry = kept.recall(objectID, now);
      return entry && entry.index === index ? entry.queryID : undefined;
    },
  };
}
