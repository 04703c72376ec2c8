import { describe, expect, it } from 'vitest';
import { DELIVERED, DROP, outcomeOf, RETRY, SPLIT, STOP } from '../../src/delivery/answers';

const outcomesOf = (statuses: number[]) => statuses.map(outcomeOf);

describe('what becomes of a batch, by the status of its answer', () => {
  it('is delivered on any 2xx', () => {
    expect(outcomesOf([200, 201, 202, 204, 299])).toEqual([DELIVERED, DELIVERED, DELIVERED, DELIVERED, DELIVERED]);
  });

  it('stops sending when the appId or API key is refused (401, 403)', () => {
    expect(outcomesOf([401, 403])).toEqual([STOP, STOP]);
  });

  it('is split when the API refuses the whole batch for one event (413, 422)', () => {
    expect(outcomesOf([413, 422])).toEqual([SPLIT, SPLIT]);
  });

  it('is retried with a backoff without an answer (0), on 408, 429 and any 5xx', () => {
    expect(outcomesOf([0, 408, 429, 500, 502, 503, 504, 599])).toEqual([RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY, RETRY]);
  });

  it('is dropped on the other 4xx, which the same batch would get again', () => {
    expect(outcomesOf([400, 402, 404, 405, 409, 410, 415, 451, 499])).toEqual([DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP]);
  });

  it('tells the five outcomes apart', () => {
    expect(new Set([DELIVERED, STOP, SPLIT, RETRY, DROP]).size).toBe(5);
  });
});
