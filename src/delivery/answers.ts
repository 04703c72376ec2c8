// What becomes of a batch of events, by the status the Insights API answered its request with
// (docs/behaviour.md describes delivery). Numbers rather than names: the minified script keeps
// no string for them.

/** 2xx: done. */
export const DELIVERED = 0;
/** 401, 403: the appId or API key is refused; no request from this page would do better. */
export const STOP = 1;
/**
 * 413, 422: the API refuses a whole batch for one event: it is halved until that event stands
 * alone, and only that event is refused.
 */
export const SPLIT = 2;
/** 0 (no answer: network error, offline, timeout), 408, 429, 5xx: sent again after a backoff. */
export const RETRY = 3;
/** Any other status, such as the other 4xx: sending the same again would fail again. */
export const DROP = 4;

export type Outcome = typeof DELIVERED | typeof STOP | typeof SPLIT | typeof RETRY | typeof DROP;

/** The outcome of an answer's status, 0 where the request got no answer. */
export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return DELIVERED;
  if (status === 401 || status === 403) return STOP;
  if (status === 413 || status === 422) return SPLIT;
  if (!status || status === 408 || status === 429 || status >= 500) return RETRY;
  return DROP;
}
