// @ts-check
// A local stand-in for the Insights API's `POST /1/events`, mountable in any `node:http` server.
// It answers with the API's status codes and messages (from the official description's examples,
// in ./reference/), validates every event, and records everything it was sent.
import { STATUS_CODES } from 'node:http';
import { apiMessage, createOfficialValidator, eventsSchema, isRecord } from './official-validator.mjs';

/** @typedef {import('./official-validator.mjs').EventValidator} EventValidator */
/** @typedef {import('./official-validator.mjs').EventVerdict} EventVerdict */
/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */

/**
 * An event as a client put it in a batch, when it is an object (a batch may hold anything,
 * which is why `ReceivedEvent.event` is `unknown`).
 * @typedef {Record<string, unknown>} SentEvent
 */

/**
 * @typedef {object} ReceivedEvent
 * @property {unknown} event as sent
 * @property {boolean} valid whether the official schema accepts it
 * @property {string[]} errors why it is not valid
 * @property {number} at ms since the epoch when it arrived
 * @property {number | null} status the status its request was answered with; null while it hangs
 * @property {string} [variant] the Insights variant the event is meant to be, when the collector was
 *   given a `variantOf` (the demo gives QueryTrail's own) and the event is an object
 */

/**
 * @typedef {object} ReceivedRequest
 * @property {string} method
 * @property {string} url path and query string
 * @property {string | null} contentType
 * @property {number} events how many events the body held
 * @property {number} bytes the body's size (0 until it was read)
 * @property {number | null} status null while the request hangs
 */

/**
 * @typedef {object} FaultResponse
 * @property {number} [status]
 * @property {Record<string, string>} [headers] e.g. `{ 'Retry-After': '2' }`
 * @property {string} [message] defaults to the status text
 * @property {true} [hang] never answer (until `reset()`)
 * @property {number} [delayMs] answer only this many ms after the request arrived, leaving it hanging meanwhile
 *   (as a slow API would; `reset()` drops it then like any hanging request)
 */

/**
 * @typedef {object} Faults
 * @property {FaultResponse[]} next answers to give instead of the normal one, one per POST, in order
 * @property {Set<string>} rejectObjectIDs a batch holding any of these objectIDs is answered 422,
 *   as the API answers a batch holding an invalid event
 * @property {number} latencyMs every answer comes this many ms after its request arrived, as from a
 *   steadily slow API (0: at once); a fault of `next` with its own `delayMs` keeps that one
 */

// "the request body must be smaller than 2 MB" (description of `POST /1/events`).
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_EVENTS = eventsSchema.properties.events.maxItems;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, X-Algolia-Application-Id, X-Algolia-API-Key, X-Algolia-Agent',
  'Access-Control-Expose-Headers': 'Retry-After',
  'Access-Control-Max-Age': '600',
};

/**
 * @param {{ appId: string, apiKey: string, validateEvent?: EventValidator, variantOf?: (event: SentEvent) => string | undefined }} options
 *   `variantOf` names the variant each event is meant to be, recorded with it.
 */
export function createCollector({ appId, apiKey, validateEvent = createOfficialValidator(), variantOf }) {
  /** @type {ReceivedEvent[]} */
  const received = [];
  /** @type {ReceivedRequest[]} */
  const requests = [];
  /** @type {Faults} */
  const faults = { next: [], rejectObjectIDs: new Set(), latencyMs: 0 };
  /** @type {Set<(batch: { request: ReceivedRequest, events: ReceivedEvent[] }) => void>} */
  const listeners = new Set();
  /** @type {Set<ServerResponse>} */
  const hanging = new Set();

  /**
   * @param {IncomingMessage} req
   * @param {ServerResponse} res
   * @returns {boolean} whether the request was the collector's to answer
   */
  function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://collector.invalid');
    if (url.pathname !== '/1/events') return false;
    /** @type {ReceivedRequest} */
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'] ?? null,
      events: 0,
      bytes: 0,
      status: null,
    };
    requests.push(request);
    if (req.method === 'OPTIONS') {
      request.status = 204;
      res.writeHead(204, CORS_HEADERS).end();
      return true;
    }
    if (req.method !== 'POST') {
      respond(res, request, { status: 405, message: apiMessage('405', 'MethodNotAllowed') });
      return true;
    }
    readBody(req).then((body) => {
      const parsed = body.tooLarge ? undefined : parseJson(body.text);
      const events = isRecord(parsed) && Array.isArray(parsed.events) ? parsed.events : [];
      const verdicts = events.map((/** @type {unknown} */ event) => ({
        event,
        ...validateEvent(event),
        ...(variantOf && isRecord(event) ? { variant: variantOf(event) } : {}),
      }));
      const fault = faults.next.shift();
      const answer = fault ? faultAnswer(fault) : apiAnswer({ body, parsed, verdicts, authorized: hasValidCredentials(req, url) });
      request.events = events.length;
      request.bytes = body.bytes;
      const at = Date.now();
      const delayMs = fault?.delayMs ?? faults.latencyMs;
      /** @type {ReceivedEvent[]} */
      const records = verdicts.map((verdict) => ({ ...verdict, at, status: answer && !delayMs ? answer.status : null }));
      received.push(...records);
      if (!answer) hanging.add(res);
      else if (delayMs) answerLater(res, request, records, answer, delayMs);
      else respond(res, request, answer);
      for (const listener of listeners) listener({ request, events: records });
    });
    return true;
  }

  /**
   * @param {ServerResponse} res
   * @param {ReceivedRequest} request
   * @param {ReceivedEvent[]} records
   * @param {Answer} answer
   * @param {number} delayMs
   */
  function answerLater(res, request, records, answer, delayMs) {
    hanging.add(res);
    setTimeout(() => {
      // Dropped by `reset()`, or given up by the client: it stays unanswered.
      if (!hanging.delete(res) || res.destroyed) return;
      for (const record of records) record.status = answer.status;
      respond(res, request, answer);
    }, delayMs);
  }

  /**
   * What the Insights API would answer.
   * @param {{ body: { tooLarge: boolean }, parsed: unknown, verdicts: Array<{ event: unknown } & EventVerdict>, authorized: boolean }} batch
   * @returns {Answer}
   */
  function apiAnswer({ body, parsed, verdicts, authorized }) {
    const unprocessable = (/** @type {string} */ message) => ({ status: 422, message });
    if (body.tooLarge) return { status: 413, message: apiMessage('413', 'PayloadTooLarge') };
    if (!authorized) return { status: 401, message: apiMessage('401', 'Unauthorized') };
    if (parsed === undefined) return { status: 400, message: apiMessage('400', 'BadRequest') };
    if (Array.isArray(parsed)) return unprocessable(apiMessage('422', 'NoEventsField'));
    if (!isRecord(parsed) || (parsed.events !== undefined && !Array.isArray(parsed.events)))
      return unprocessable(apiMessage('422', 'InvalidPayload'));
    if (verdicts.length === 0) return unprocessable(apiMessage('422', 'NoEvents'));
    if (verdicts.length > MAX_EVENTS) return unprocessable(apiMessage('422', 'TooManyEvents'));
    const firstError = verdicts.flatMap((verdict) => verdict.errors)[0];
    if (firstError !== undefined) return unprocessable(firstError);
    if (verdicts.some(({ event }) => objectIDsOf(event).some((id) => faults.rejectObjectIDs.has(id))))
      return unprocessable(apiMessage('422', 'InvalidPayload'));
    return { status: 200, message: apiMessage('200', 'Success') };
  }

  /**
   * @param {IncomingMessage} req
   * @param {URL} url
   */
  function hasValidCredentials(req, url) {
    return credential(req, url, 'X-Algolia-Application-Id') === appId && credential(req, url, 'X-Algolia-API-Key') === apiKey;
  }

  return {
    handle,
    received,
    requests,
    faults,
    /** @param {(batch: { request: ReceivedRequest, events: ReceivedEvent[] }) => void} listener */
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /** Forgets everything received, clears the faults and drops hanging requests. */
    reset() {
      received.length = 0;
      requests.length = 0;
      faults.next.length = 0;
      faults.rejectObjectIDs.clear();
      faults.latencyMs = 0;
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
  };
}

/** @typedef {ReturnType<typeof createCollector>} Collector */

/** @typedef {{ status: number, message: string, headers?: Record<string, string> }} Answer */

/**
 * @param {FaultResponse} fault
 * @returns {Answer | null} null: leave the request hanging
 */
function faultAnswer({ hang, status = 500, message = STATUS_CODES[status] ?? 'Error', headers }) {
  return hang ? null : { status, message, headers };
}

/**
 * @param {ServerResponse} res
 * @param {ReceivedRequest} request
 * @param {Answer} answer
 */
function respond(res, request, { status, message, headers = {} }) {
  request.status = status;
  // The spec's 400 example is the one answer that comes as HTML rather than JSON.
  const [contentType, body] =
    status === 400 ? ['text/html; charset=utf-8', message] : ['application/json; charset=utf-8', JSON.stringify({ status, message })];
  res.writeHead(status, { ...CORS_HEADERS, ...headers, 'Content-Type': contentType }).end(body);
}

/**
 * The API takes credentials from headers or, as browsers send them without a preflight, from the query string.
 * @param {IncomingMessage} req
 * @param {URL} url
 * @param {string} name
 */
function credential(req, url, name) {
  const fromQuery = [...url.searchParams].find(([key]) => key.toLowerCase() === name.toLowerCase());
  const fromHeader = req.headers[name.toLowerCase()];
  return fromQuery?.[1] ?? (typeof fromHeader === 'string' ? fromHeader : undefined);
}

/**
 * @param {IncomingMessage} req
 * @returns {Promise<{ tooLarge: boolean, text: string, bytes: number }>}
 */
function readBody(req) {
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size < MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve({ tooLarge: size >= MAX_BODY_BYTES, text: Buffer.concat(chunks).toString('utf8'), bytes: size }));
    req.on('error', () => resolve({ tooLarge: false, text: '', bytes: size }));
  });
}

/**
 * @param {string} text
 * @returns {unknown} undefined when the text is not JSON
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** @param {unknown} event */
function objectIDsOf(event) {
  return isRecord(event) && Array.isArray(event.objectIDs) ? event.objectIDs : [];
}
