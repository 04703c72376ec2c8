import { countOf, DB_NAME as OUTBOX_DB } from '../delivery/outbox';
import { STORE_NAME } from '../lib/idb';
import { pageOptions, parseOptions, type Options } from '../options';
import { resolveUserToken, type TokenSource } from '../session/identity';
import { QUERY_IDS_DB, type RememberedQuery } from '../storage/query-ids';
import { readVisitToken } from '../storage/visit-token';
import { RUNNING, type PageWithInstance, type QueryTrail } from '../trail';

/**
 * What the audit reads from the page about the running QueryTrail, without asking the script for
 * anything it does not publish: the instance on `document`, the options from the script tag and
 * `window.querytrailConfig`, and what is stored, read without writing.
 */

/** The running instance, kept on `document` under the key every copy of QueryTrail shares. */
export const runningInstance = (): QueryTrail | undefined => (document as PageWithInstance)[RUNNING]?.instance;

/** QueryTrail's own script tag: the first that loads a file named like it, other than the audit's. */
const queryTrailScript = () =>
  [...document.querySelectorAll<HTMLScriptElement>('script[src*="querytrail"]')].find((script) => !script.src.includes('querytrail-audit'));

export interface PageOptions {
  options: Options;
  /** Why the page's own options could not be used, where the defaults stand in for them. */
  problem?: string;
}

/**
 * The options as the script-tag build reads them. A page that starts QueryTrail from its own code
 * (the ESM build) passes them in code the audit cannot see: the defaults stand in, and the panel says so.
 */
export function readPageOptions(): PageOptions {
  const parsed = parseOptions(pageOptions(queryTrailScript() ?? null, window.querytrailConfig));
  if (parsed.ok) return { options: parsed.options };
  const defaults = parseOptions({ appId: 'unknown', apiKey: 'unknown' }) as { ok: true; options: Options };
  return { options: defaults.options, problem: `options not readable from the page (${parsed.problems.join('; ')}): defaults shown` };
}

/** Where the running instance's user token comes from (docs/behaviour.md, Identity). */
export function tokenSourceOf(token: string, options: Options, now: number): TokenSource | 'setUserToken' {
  const atStart = resolveUserToken(
    options.userToken,
    () => readVisitToken(now),
    () => {},
  );
  if (atStart.token === token) return atStart.source;
  // Nothing on the page holds it: generated on this page and not kept (no storage consent), or set later.
  return atStart.source === 'generated' && !options.userToken ? 'generated' : 'setUserToken';
}

/**
 * Runs `read` on the store of an existing database, read-only, and closes it again: a connection
 * left open would hold back the deletion an opt-out makes. Resolves undefined where the database
 * does not exist (nothing stored: no consent, or nothing to keep yet) or cannot be read.
 */
async function readStored<T>(dbName: string, read: (store: IDBObjectStore) => IDBRequest<T>): Promise<T | undefined> {
  try {
    if (!(await indexedDB.databases()).some(({ name }) => name === dbName)) return undefined;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(dbName);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      if (!db.objectStoreNames.contains(STORE_NAME)) return undefined;
      const request = read(db.transaction(STORE_NAME, 'readonly').objectStore(STORE_NAME));
      return await new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/** The queryIDs earlier clicks and landings remembered, as stored (docs/behaviour.md, Storage). */
export async function readRemembered(): Promise<Map<string, RememberedQuery>> {
  const [keys, values] = await Promise.all([
    readStored(QUERY_IDS_DB, (store) => store.getAllKeys()),
    readStored<RememberedQuery[]>(QUERY_IDS_DB, (store) => store.getAll()),
  ]);
  return new Map((keys ?? []).flatMap((key, i) => (values?.[i] ? [[String(key), values[i]] as const] : [])));
}

/** How many undelivered events wait in the IndexedDB outbox; undefined where nothing is stored. */
export const countOutbox = async () =>
  (await readStored(OUTBOX_DB, (store) => store.getAllKeys()))?.reduce<number>((sum, key) => sum + countOf(key), 0);

/** The requests that carried events to the Insights API (or the endpoint), as the browser timed them. */
export interface Delivery {
  requests: number;
  /** The HTTP status of the last answer (0 where the browser does not tell it, as for some beacons). */
  lastStatus: number | undefined;
  /** When the last request started, on `performance.now()`'s clock. */
  lastStart: number | undefined;
}

/** Follows the requests to `endpoint`'s `/1/events`, those before the audit opened included. */
export function followDelivery(endpoint: string, onChange: (delivery: Delivery) => void): () => void {
  const delivery: Delivery = { requests: 0, lastStatus: undefined, lastStart: undefined };
  const observer = new PerformanceObserver((list) => {
    const sent = list.getEntries().filter(({ name }) => name.startsWith(`${endpoint}/1/events`)) as PerformanceResourceTiming[];
    for (const entry of sent) {
      delivery.requests++;
      delivery.lastStatus = entry.responseStatus;
      delivery.lastStart = entry.startTime;
    }
    if (sent.length) onChange({ ...delivery });
  });
  observer.observe({ type: 'resource', buffered: true });
  return () => observer.disconnect();
}
