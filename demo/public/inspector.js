// The inspector's live view: the server streams the searches it answered and every event the
// collector received; this page lists the events and draws the funnel per queryID.
import { FUNNEL_STEPS, buildFunnels, isComplete, wasAccepted } from './funnel.js';

/** @typedef {import('./funnel.js').IssuedSearch} IssuedSearch */
/** @typedef {import('../../tools/collector.mjs').ReceivedEvent} ReceivedEvent */

const MAX_FUNNELS = 40;
const STEP_LABELS = { click: 'click', addToCart: 'add to cart', purchase: 'purchase' };
const TYPE_LABELS = { click: 'click', view: 'view', conversion: 'conversion', addToCart: 'add to cart', purchase: 'purchase' };
// Field order in an event card; the rest of the event is in its raw JSON.
const SHOWN_FIELDS = [
  'index',
  'queryID',
  'objectIDs',
  'positions',
  'filters',
  'objectData',
  'value',
  'currency',
  'userToken',
  'authenticatedUserToken',
];

const state = {
  /** @type {Map<string, IssuedSearch>} */
  searches: new Map(),
  /** @type {ReceivedEvent[]} */
  received: [],
  since: 0,
};

/**
 * @param {string} tag
 * @param {Record<string, string | undefined>} [attributes] `class`, `data-*`, `title`…
 * @param {(Node | string | undefined)[]} children
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  element.append(...children.filter((child) => child !== undefined));
  return element;
}

const clock = (/** @type {number} */ ms) => `${new Date(ms).toLocaleTimeString('en-GB', { hour12: false })}.${String(ms % 1000).padStart(3, '0')}`;

const shortQueryID = (/** @type {string} */ queryID) => `${queryID.slice(0, 8)}…`;

/** @param {unknown} value */
function fieldText(value) {
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object')) return value.join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** @param {Record<string, unknown>} event */
function typeLabel(event) {
  const type = String(event.eventSubtype ?? event.eventType);
  return TYPE_LABELS[/** @type {keyof typeof TYPE_LABELS} */ (type)] ?? type;
}

/** @param {ReceivedEvent} record */
function eventCard(record) {
  const { valid, errors, at, status } = record;
  const event = /** @type {Record<string, unknown>} */ (record.event);
  const variant = record.variant ?? 'no variant';
  const interactionAt = typeof event.timestamp === 'number' ? event.timestamp : undefined;
  const delay = interactionAt === undefined ? '' : ` · sent ${((at - interactionAt) / 1000).toFixed(1)} s after the interaction`;
  const fields = SHOWN_FIELDS.filter((name) => event[name] !== undefined).flatMap((name) => [
    h('dt', {}, name),
    h('dd', { 'data-field': name }, fieldText(event[name])),
  ]);
  return h(
    'li',
    {
      class: `event ${valid ? 'valid' : 'invalid'}`,
      'data-variant': variant,
      'data-valid': String(valid),
      'data-query-id': typeof event.queryID === 'string' ? event.queryID : undefined,
    },
    h(
      'div',
      { class: 'event-head' },
      h('span', { class: `type type-${String(event.eventType)}` }, typeLabel(event)),
      h('strong', { class: 'event-name' }, String(event.eventName ?? '(no eventName)')),
      h('span', { class: `verdict ${valid ? 'ok' : 'bad'}` }, valid ? 'valid' : 'invalid'),
      h('time', { title: `received ${new Date(at).toISOString()}` }, clock(at)),
    ),
    h('p', { class: 'variant' }, variant, delay),
    valid ? undefined : h('ul', { class: 'errors' }, ...errors.map((error) => h('li', {}, error))),
    wasAccepted(record)
      ? undefined
      : h(
          'p',
          { class: 'not-recorded' },
          `Not recorded: its request was answered ${status}. QueryTrail resends the valid events of a rejected batch.`,
        ),
    h('dl', {}, ...fields),
    h('details', {}, h('summary', {}, 'JSON'), h('pre', {}, JSON.stringify(event, null, 2))),
  );
}

/** @param {import('./funnel.js').StepHit[]} hits */
function stepCell(step, hits) {
  if (hits.length === 0) return h('td', { 'data-step': step, class: 'step pending' }, '—');
  const details = hits.map((hit) => hit.objectIDs.map((id, i) => (hit.positions ? `${id} @${hit.positions[i]}` : id)).join(', '));
  return h(
    'td',
    { 'data-step': step, 'data-done': 'true', class: 'step done' },
    h('span', { class: 'check', 'aria-hidden': 'true' }, '✓'),
    ` ${hits.length > 1 ? `${hits.length} × ` : ''}${STEP_LABELS[step]}`,
    h('small', {}, details.join(' · ')),
  );
}

/** @param {import('./funnel.js').Funnel} funnel */
function funnelRow(funnel) {
  const { search } = funnel;
  const searchCell = search
    ? h(
        'td',
        { 'data-step': 'search', 'data-done': 'true', class: 'step done' },
        h('span', { class: 'check', 'aria-hidden': 'true' }, '✓'),
        ' ',
        h('strong', {}, search.query ? `“${search.query}”` : 'all products'),
        h(
          'small',
          {},
          [
            `page ${search.page + 1}`,
            `${search.nbHits} hits`,
            search.brand && `brand: ${search.brand}`,
            search.category && `category: ${search.category}`,
          ]
            .filter(Boolean)
            .join(' · '),
        ),
      )
    : h('td', { 'data-step': 'search', class: 'step unknown' }, 'unknown queryID', h('small', {}, 'this store’s search never returned it'));
  return h(
    'tr',
    { 'data-query-id': funnel.queryID, class: isComplete(funnel) ? 'complete' : undefined },
    searchCell,
    h('td', {}, h('code', { title: funnel.queryID }, shortQueryID(funnel.queryID))),
    ...FUNNEL_STEPS.map((step) => stepCell(step, funnel.steps[step])),
  );
}

const view = {
  events: /** @type {HTMLOListElement} */ (document.querySelector('[data-events]')),
  eventsEmpty: /** @type {HTMLElement} */ (document.querySelector('[data-events-empty]')),
  funnels: /** @type {HTMLTableSectionElement} */ (document.querySelector('[data-funnels]')),
  funnelsEmpty: /** @type {HTMLElement} */ (document.querySelector('[data-funnels-empty]')),
  counts: /** @type {HTMLElement} */ (document.querySelector('[data-counts]')),
  connection: /** @type {HTMLElement} */ (document.querySelector('[data-connection]')),
  validator: /** @type {HTMLElement} */ (document.querySelector('[data-validator]')),
};

function renderSummary() {
  const invalid = state.received.filter((record) => !record.valid).length;
  view.counts.textContent = `${state.received.length} events · ${state.received.length - invalid} valid · ${invalid} invalid`;
  view.counts.classList.toggle('has-invalid', invalid > 0);
  view.eventsEmpty.hidden = state.received.length > 0;
  const funnels = buildFunnels(state).slice(0, MAX_FUNNELS);
  view.funnels.replaceChildren(...funnels.map(funnelRow));
  view.funnelsEmpty.hidden = funnels.length > 0;
}

/** @param {ReceivedEvent[]} records */
function addEvents(records) {
  state.received.push(...records);
  view.events.prepend(...records.map(eventCard).reverse());
}

function setConnection(status, text) {
  view.connection.dataset.connection = status;
  view.connection.textContent = text;
}

const stream = new EventSource('/inspector/stream');
stream.addEventListener('open', () => setConnection('live', 'live'));
stream.addEventListener('error', () => setConnection('connecting', 'reconnecting…'));
// Sent on every (re)connection, so a reconnect never leaves gaps or duplicates.
stream.addEventListener('snapshot', (message) => {
  const snapshot = JSON.parse(message.data);
  view.validator.textContent = snapshot.validatorName;
  state.searches = new Map(snapshot.searches.map((search) => [search.queryID, search]));
  state.since = snapshot.since;
  state.received = [];
  view.events.replaceChildren();
  addEvents(snapshot.received);
  renderSummary();
});
stream.addEventListener('search', (message) => {
  const search = JSON.parse(message.data);
  state.searches.set(search.queryID, search);
  renderSummary();
});
stream.addEventListener('received', (message) => {
  addEvents(JSON.parse(message.data));
  renderSummary();
});
stream.addEventListener('reset', (message) => {
  state.since = JSON.parse(message.data).since;
  state.received = [];
  view.events.replaceChildren();
  renderSummary();
});

document.querySelector('[data-clear]')?.addEventListener('click', () => {
  fetch('/inspector/clear', { method: 'POST' });
});
