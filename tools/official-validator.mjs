// @ts-check
// Validates single Insights events against Algolia's official OpenAPI description, the way
// the Insights API judges them, so the demo and the tests can tell what the real API would reject.
// The description's rules and the API's messages are data in ./reference/ (see its README.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

/** @typedef {{ valid: boolean, errors: string[] }} EventVerdict */
/** @typedef {(event: unknown) => EventVerdict} EventValidator */

/** The request body schema of `POST /1/events`, with every event variant under `components.schemas`. */
export const eventsSchemaPath = fileURLToPath(new URL('./reference/insights-events.schema.json', import.meta.url));
/** The request and response examples of `POST /1/events`: the events the API accepts and the messages it answers with. */
export const pushEventsExamplesPath = fileURLToPath(new URL('./reference/insights-pushEvents-examples.json', import.meta.url));

/**
 * @typedef {object} JsonSchema the keywords read here; the others are in the file
 * @property {string} [$ref]
 * @property {Record<string, JsonSchema>} [properties]
 * @property {string[]} [required]
 * @property {string[]} [enum]
 * @property {JsonSchema[]} [oneOf]
 * @property {number} [maxItems]
 */
/** @type {JsonSchema & { properties: { events: JsonSchema & { maxItems: number } }, components: { schemas: Record<string, JsonSchema> } }} */
export const eventsSchema = JSON.parse(readFileSync(eventsSchemaPath, 'utf8'));
/** @type {{ requests: Record<string, { events: unknown[] }>, responses: Record<string, Record<string, { status: number, message: string } | string>> }} */
export const pushEventsExamples = JSON.parse(readFileSync(pushEventsExamplesPath, 'utf8'));

/**
 * The message the API answers with, from the response example `example` of status `status`.
 * @param {string} status e.g. '422'
 * @param {string} example e.g. 'WrongPositionsItems'
 * @returns {string}
 */
export function apiMessage(status, example) {
  const value = pushEventsExamples.responses[status]?.[example];
  if (value === undefined) throw new Error(`the reference has no ${status} example named ${example}`);
  // The 400 example is the one answer that is HTML text rather than a JSON object.
  return typeof value === 'string' ? value : value.message;
}

const SCHEMA_ID = 'insights-events';
const DAY_MS = 24 * 60 * 60 * 1000;

const MESSAGES = {
  wrongUserToken: apiMessage('422', 'WrongUserToken'),
  wrongEventName: apiMessage('422', 'WrongEventName'),
  wrongPositionsItems: apiMessage('422', 'WrongPositionsItems'),
  invalidTimestamp: apiMessage('422', 'InvalidTimestamp'),
  // No 422 example covers this one; the rule is in the description of `objectDataList`.
  wrongObjectDataItems: 'objectData must have the same length as objectIDs',
};

/**
 * @param {{ now?: () => number }} [options]
 *   `now` is the moment the API receives the event, which the timestamp's age is measured from.
 * @returns {EventValidator}
 */
export function createOfficialValidator({ now = Date.now } = {}) {
  const ajv = new Ajv({ allErrors: true, strict: true });
  // Where the OpenAPI description keeps the schemas its `$ref`s point to: a place, not a rule.
  ajv.addVocabulary(['components']);
  // OpenAPI's numeric formats (https://spec.openapis.org/oas/v3.0.3#data-types).
  ajv.addFormat('int32', { type: 'number', validate: (n) => n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n) => n >= -(2 ** 63) && n < 2 ** 63 });
  ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
  ajv.addSchema({ $id: SCHEMA_ID, components: eventsSchema.components });

  const variants = (componentSchema('EventsItems').oneOf ?? []).map(({ $ref = '' }) => {
    const name = $ref.slice($ref.lastIndexOf('/') + 1);
    return {
      name,
      allowedKeys: new Set(Object.keys(componentSchema(name).properties ?? {})),
      validate: ajv.compile({ $ref: `${SCHEMA_ID}${$ref}` }),
    };
  });

  /**
   * @param {unknown} event
   * @returns {Array<{ name: string, errors: string[] }>}
   */
  const variantErrors = (event) =>
    variants.map(({ name, allowedKeys, validate }) => {
      const schemaErrors = validate(event) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
      // The variants leave `additionalProperties` open, so `oneOf` would be ambiguous
      // (every ClickedObjectIDsAfterSearch is also a ClickedObjectIDs); an event belongs to
      // a variant when it validates and uses no property that variant does not define.
      const unknownKeys = isRecord(event)
        ? Object.keys(event)
            .filter((key) => !allowedKeys.has(key))
            .map((key) => `/${key} is not a property of this variant`)
        : [];
      return { name, errors: [...schemaErrors, ...unknownKeys] };
    });

  return (event) => {
    const closest = variantErrors(event).reduce((best, candidate) => (candidate.errors.length < best.errors.length ? candidate : best));
    const errors = [...closest.errors.map((error) => `${closest.name}: ${error}`), ...documentedRuleErrors(event, now())];
    return { valid: errors.length === 0, errors };
  };
}

/**
 * A schema of the committed file's `components.schemas`, which holds every one the variants use.
 * @param {string} name
 */
function componentSchema(name) {
  const schema = eventsSchema.components.schemas[name];
  if (!schema) throw new Error(`${eventsSchemaPath} has no schema named ${name}`);
  return schema;
}

/**
 * Rules the schema cannot express but the spec's own text states.
 * @param {unknown} event
 * @param {number} receivedAt
 */
function documentedRuleErrors(event, receivedAt) {
  if (!isRecord(event)) return [];
  const errors = [];
  // 422 example "WrongUserToken": the whole token, where the schema's pattern is unanchored.
  if (typeof event.userToken === 'string' && !/^[a-zA-Z0-9=+/_-]{1,128}$/.test(event.userToken)) {
    errors.push(MESSAGES.wrongUserToken);
  }
  // 422 example "WrongEventName": the whole name, where the schema's pattern is unanchored.
  if (typeof event.eventName === 'string' && !/^[\x20-\x7E]{1,64}$/.test(event.eventName)) {
    errors.push(MESSAGES.wrongEventName);
  }
  // 422 example "WrongPositionsItems" and the description of `positions`.
  if (Array.isArray(event.positions) && Array.isArray(event.objectIDs) && event.positions.length !== event.objectIDs.length) {
    errors.push(MESSAGES.wrongPositionsItems);
  }
  // Descriptions of `objectDataList` and `objectDataAfterSearchList`.
  if (Array.isArray(event.objectData) && Array.isArray(event.objectIDs) && event.objectData.length !== event.objectIDs.length) {
    errors.push(MESSAGES.wrongObjectDataItems);
  }
  // Description of `timestamp` ("no older than 30 days") and 422 example "InvalidTimestamp".
  if (typeof event.timestamp === 'number' && event.timestamp < receivedAt - 30 * DAY_MS) {
    errors.push(MESSAGES.invalidTimestamp);
  }
  return errors;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
