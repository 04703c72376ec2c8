// @ts-check
// Regenerates the reference data in this folder from an official copy of Algolia's files
// (see README.md): `node tools/reference/regenerate.mjs <official-dir>`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The files an official copy holds, by the name they have there. */
export const OFFICIAL_FILES = {
  openApi: 'insights-openapi.json',
  pushEventsCases: 'insights-cts-pushEvents.json',
  licence: 'LICENSE-algolia-api-clients-automation.md',
};

// Keywords that only explain: the validator needs none of them.
const PROSE_KEYWORDS = new Set(['description', 'title', 'summary', 'example', 'examples']);
const PUSH_EVENTS_PATH = '/1/events';

/**
 * The contents of the committed files, by file name, built from the official copy's contents.
 * Pure, so the drift test can compare them with the committed files without writing anything.
 * @param {{ openApi: string, pushEventsCases: string, licence: string }} official the official files' text
 * @returns {Record<string, string>}
 */
export function referenceFiles(official) {
  const spec = JSON.parse(official.openApi);
  const pushEvents = spec.paths[PUSH_EVENTS_PATH].post;
  const requestBody = pushEvents.requestBody.content['application/json'];
  return {
    'insights-events.schema.json': json(eventsSchema(spec, requestBody.schema)),
    'insights-pushEvents-examples.json': json({
      $comment: `The request and response examples of \`POST ${PUSH_EVENTS_PATH}\` in Algolia's OpenAPI description of the Insights API, without their prose.`,
      requests: mapValues(requestBody.examples, (example) => example.value),
      responses: mapValues(pushEvents.responses, (response) =>
        Object.assign({}, ...Object.values(response.content ?? {}).map((content) => mapValues(content.examples ?? {}, (example) => example.value))),
      ),
    }),
    // Copied as they are: the clients' test cases are data, and the licence is the licence.
    [OFFICIAL_FILES.pushEventsCases]: official.pushEventsCases,
    [OFFICIAL_FILES.licence]: official.licence,
  };
}

/**
 * The request body schema of `POST /1/events`, with every component schema it reaches under
 * `components.schemas` so that the official `$ref`s resolve unchanged, and the prose left out.
 * @param {{ components: { schemas: Record<string, unknown> } }} spec
 * @param {unknown} requestSchema
 */
function eventsSchema(spec, requestSchema) {
  const all = spec.components.schemas;
  /** @type {Set<string>} */
  const reached = new Set();
  const follow = (/** @type {unknown} */ node) => {
    if (Array.isArray(node)) return node.forEach(follow);
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!(name in all)) throw new Error(`${value} is not a component schema of the official description`);
        if (!reached.has(name)) {
          reached.add(name);
          follow(all[name]);
        }
      } else follow(value);
    }
  };
  follow(requestSchema);
  if (!reached.has('EventsItems')) throw new Error('the request body of POST /1/events no longer reaches EventsItems');
  return {
    $comment:
      "The request body of `POST /1/events` and every event variant it allows, from Algolia's OpenAPI description of the Insights API (MIT, see README.md), without its prose. Regenerate with tools/reference/regenerate.mjs.",
    .../** @type {Record<string, unknown>} */ (withoutProse(requestSchema)),
    components: { schemas: Object.fromEntries([...reached].map((name) => [name, withoutProse(all[name])])) },
  };
}

/**
 * A schema without the keywords that carry no rule. Names under `properties` are data, not
 * keywords, so a property called `description` would stay.
 * @param {unknown} schema
 * @returns {unknown}
 */
function withoutProse(schema) {
  if (Array.isArray(schema)) return schema.map(withoutProse);
  if (!isObject(schema)) return schema;
  /** @type {Record<string, unknown>} */
  const kept = {};
  for (const [key, value] of Object.entries(schema)) {
    if (PROSE_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    kept[key] = key === 'properties' && isObject(value) ? mapValues(value, withoutProse) : withoutProse(value);
  }
  return kept;
}

/**
 * @template T, U
 * @param {Record<string, T>} record
 * @param {(value: T) => U} map
 * @returns {Record<string, U>}
 */
function mapValues(record, map) {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/**
 * Two-space JSON with keys in code-point order (arrays keep theirs) and a final newline, so that
 * regenerating from the same official copy gives the same bytes.
 * @param {unknown} value
 */
function json(value) {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/** @param {unknown} value @returns {unknown} */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {string} officialDir */
export function readOfficial(officialDir) {
  const read = (/** @type {string} */ name) => readFileSync(join(officialDir, name), 'utf8');
  return { openApi: read(OFFICIAL_FILES.openApi), pushEventsCases: read(OFFICIAL_FILES.pushEventsCases), licence: read(OFFICIAL_FILES.licence) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const officialDir = process.argv[2];
  if (!officialDir) {
    console.error('usage: node tools/reference/regenerate.mjs <official-dir>   (e.g. ../shared/reference)');
    process.exit(2);
  }
  const here = new URL('./', import.meta.url);
  for (const [name, text] of Object.entries(referenceFiles(readOfficial(officialDir)))) {
    writeFileSync(new URL(name, here), text);
    console.log(`wrote tools/reference/${name}`);
  }
}
