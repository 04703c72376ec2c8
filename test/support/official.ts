// Algolia's official OpenAPI description of the Insights API, as the property tests judge events by it.
import { readFileSync } from 'node:fs';
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
