// Validates single Insights events against Algolia's official OpenAPI description, the way
// the Insights API judges them, so the demo and the tests can tell what the real API would reject.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

/** @typedef {{ valid: boolean, errors: string[] }} EventVerdict */
/** @typedef {(event: unknown) => EventVerdict} EventValidator */

// The repo is always checked out with `shared/` beside it (locally and in CI).
export const defaultSpecPath = fileURLToPath(
  new URL('../../shared/reference/insights-openapi.json', import.meta.url),
);

const SCHEMA_ID = 'insights-openapi';
const DAY_MS = 24 * 60 * 60 * 1000;

// Messages are the API's own, from the 422 examples of `POST /1/events` in the spec.
const MESSAGES = {
  wrongUserToken:
    'UserToken must contain only alphanumeric, equal, plus, slash, hyphen, or underscore characters, and be between 1 and 128 characters long',
  wrongEventName:
    'EventName must contain only visible ASCII characters, and be between 1 and 64 characters long',
  wrongPositionsItems: 'Event of type click should have the same number of ObjectIDs and Positions',
  invalidTimestamp: 'The timestamp is too far in the past',
  // No 422 example covers this one; the rule is in the description of `objectDataList`.
  wrongObjectDataItems: 'objectData must have the same length as objectIDs',
};

/**
 * @param {{ specPath?: string, now?: () => number }} [options]
 *   `now` is the moment the API receives the event, which the timestamp's age is measured from.
 * @returns {EventValidator}
 */
export function createOfficialValidator({ specPath = defaultSpecPath, now = Date.now } = {}) {
  const spec = JSON.parse(readFileSync(specPath, 'utf8'));
  const schemas = spec.components.schemas;
  const ajv = new Ajv({ allErrors: true, strict: true });
  // OpenAPI annotations that carry no validation rule.
  ajv.addVocabulary(['components', 'example', 'x-discriminator-fields', 'x-keep-model']);
  // OpenAPI's numeric formats (https://spec.openapis.org/oas/v3.0.3#data-types).
  ajv.addFormat('int32', { type: 'number', validate: (n) => n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n) => n >= -(2 ** 63) && n < 2 ** 63 });
  ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
  ajv.addSchema({ $id: SCHEMA_ID, components: spec.components });

  /** @type {Array<{ name: string, allowedKeys: Set<string>, validate: import('ajv').ValidateFunction }>} */
  const variants = schemas.EventsItems.oneOf.map((/** @type {{ $ref: string }} */ { $ref }) => {
    const name = $ref.slice($ref.lastIndexOf('/') + 1);
    return {
      name,
      allowedKeys: new Set(Object.keys(schemas[name].properties)),
      validate: ajv.compile({ $ref: `${SCHEMA_ID}${$ref}` }),
    };
  });

  /**
   * @param {unknown} event
   * @returns {Array<{ name: string, errors: string[] }>}
   */
  const variantErrors = (event) =>
    variants.map(({ name, allowedKeys, validate }) => {
      const schemaErrors = validate(event)
        ? []
        : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
      // The variants leave `additionalProperties` open, so `oneOf` would be ambiguous
      // (every ClickedObjectIDsAfterSearch is also a ClickedObjectIDs); an event belongs to
      // a variant when it validates and uses no property that variant does not define.
      const unknownKeys = isRecord(event)
        ? Object.keys(event).filter((key) => !allowedKeys.has(key)).map((key) => `/${key} is not a property of this variant`)
        : [];
      return { name, errors: [...schemaErrors, ...unknownKeys] };
    });

  return (event) => {
    const closest = variantErrors(event).reduce((best, candidate) =>
      candidate.errors.length < best.errors.length ? candidate : best,
    );
    const errors = [
      ...closest.errors.map((error) => `${closest.name}: ${error}`),
      ...documentedRuleErrors(event, now()),
    ];
    return { valid: errors.length === 0, errors };
  };
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
