// Algolia's official OpenAPI description of the Insights API, as the property tests judge events by it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOfficialValidator, eventsSchemaPath } from '../../tools/official-validator.mjs';

export const official = createOfficialValidator();

/** The API's user token rule, as the official validator applies it to an otherwise valid event. */
export const apiAcceptsToken = (token: unknown) =>
  official({ eventType: 'view', eventName: 'Hits Viewed', index: 'products', objectIDs: ['sku-1'], userToken: token }).valid;
/** What the API receives: the event's JSON. */
const onTheWire = (event: unknown): unknown => JSON.parse(JSON.stringify(event));
/** The events the official validator refuses, each with its reasons. */
export const officialProblems = (events: readonly unknown[]) =>
  events.map((event) => ({ event, errors: official(onTheWire(event)).errors })).filter(({ errors }) => errors.length > 0);

export interface Schema {
  properties?: Record<string, { $ref?: string }>;
  required?: string[];
  enum?: string[];
  oneOf?: Array<{ $ref: string }>;
}
/** The schemas of the official description, by name. */
export const officialSchemas: Record<string, Schema> = JSON.parse(readFileSync(eventsSchemaPath, 'utf8')).components.schemas;

/** The official clients' request cases for `POST /1/events`. */
export interface CtsCase {
  testName?: string;
  request: { body: { events: Record<string, unknown>[] } };
}
/** The moment the request cases' fixed timestamps come from (January 2022): they are judged as of it. */
export const CTS_TIME = 1_641_290_601_962;
/** The request cases, with `now` for the placeholder of the cases whose timestamp is "now". */
export const ctsCases = (now: number): CtsCase[] =>
  // A path, not `new URL(…, import.meta.url)`: Vite rewrites that into an http asset URL under happy-dom.
  JSON.parse(readFileSync(join(import.meta.dirname, '../../tools/reference/insights-cts-pushEvents.json'), 'utf8'), (_key, value: unknown) =>
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the CTS's own placeholder, not a template.
    value === '${{nowRounded}}' ? now : value,
  );
