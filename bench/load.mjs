// `npm run bench:load` (after `npm run build`): how QueryTrail delivers a burst of events. Prints a
// markdown table on stdout (progress on stderr) and asserts nothing. It takes up to CAP_MS per size
// and the time the page takes to track the events: about 3.5 minutes where delivery stalls.
//
// For each size (1,000, 10,000 and 50,000 events; `LOAD_SIZES=1000,10000` picks others), a fresh
// browser context opens a blank page that loads the built IIFE with a script tag, views off and the
// default flush interval, and sends its events to the local collector on the same origin, which
// answers 200 at once. The page calls `QueryTrail.instance.track()` once per event, CHUNK events per
// task, then `flush()`. Each event is a `view` of OBJECT_IDS objects whose IDs are OBJECT_ID_LENGTH
// characters long (about 1 KB of JSON) and name the event, so that the collector tells each apart.
//
//   time to deliver  from the call to flush() until the last event first reached the collector
//                    (events a timed send carried during the burst count as well); waiting stops
//                    CAP_MS after flush(), and what has not arrived by then counts as lost;
//   requests, bytes  POST requests that reached the collector, and their bodies' bytes;
//   largest task     the longest top-level task of the page's main thread, from the first track()
//                    to the end of the wait, from a Chromium trace (the page's own tasks of CHUNK
//                    track() calls included); in brackets, the longest from the task that called
//                    flush() on, which is delivery's alone;
//   lost             events track() accepted that never reached the collector;
//   duplicated       events that reached it more than once.
//
// `LOAD_DEBUG=1` turns on QueryTrail's debug mode. Its messages (but the one it writes per event)
// and its warnings are listed under the table either way, counted by wording.
import { existsSync, readFileSync } from 'node:fs';
import { launchChromium } from '../tools/chromium.mjs';
import { startServer } from './server.mjs';
import { taskAt, traced } from '../tools/trace.mjs';

const SIZES = (process.env.LOAD_SIZES ?? '1000,10000,50000').split(',').map(Number);
const DEBUG = process.env.LOAD_DEBUG === '1';
const CAP_MS = 60_000;
const CHUNK = 50;
const OBJECT_IDS = 20;
const OBJECT_ID_LENGTH = 45;
const LONG_TASK_MS = 50;
/** The name of the function in startFlush() that calls flush(). */
const FLUSH_MARKER = 'loadBenchFlush';
const APP_ID = 'LOADAPPID';
const API_KEY = 'load-search-only-key';
const LIBRARY = new URL('../dist/querytrail.min.js', import.meta.url);
const LIBRARY_PATH = '/dist/querytrail.min.js';

/** The blank page of one run: QueryTrail and nothing else. */
function pageFor(url, origin) {
  if (url.pathname !== '/load') return undefined;
  const userToken = url.searchParams.get('userToken');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Load</title>
<script src="${LIBRARY_PATH}" data-app-id="${APP_ID}" data-api-key="${API_KEY}" data-endpoint="${origin}" data-user-token="${userToken}" data-views="false" data-debug="${DEBUG}"></script>
</head><body></body></html>`;
}

/** Runs in the page: `count` events through track(), `chunk` per task. */
async function trackAll({ count, chunk, objectIDs, objectIDLength }) {
  const nextTask = () =>
    new Promise((resolve) => {
      const { port1, port2 } = new MessageChannel();
      port1.onmessage = resolve;
      port2.postMessage(null);
    });
  let accepted = 0;
  let slowestChunkMs = 0;
  for (let from = 0; from < count; from += chunk) {
    await nextTask();
    const started = performance.now();
    for (let n = from; n < Math.min(from + chunk, count); n++) {
      // The first objectID names the event: `load-<n>-0-xxx…`.
      const ids = Array.from({ length: objectIDs }, (_, k) => `load-${n}-${k}-`.padEnd(objectIDLength, 'x'));
      if (window.QueryTrail.instance.track({ eventType: 'view', eventName: 'Load Viewed', index: 'products', objectIDs: ids })) accepted += 1;
    }
    slowestChunkMs = Math.max(slowestChunkMs, performance.now() - started);
  }
  return { accepted, slowestChunkMs };
}

/**
 * Runs in the page: calls flush() from a task of its own, in a function the trace names (FLUSH_MARKER,
 * where delivery starts), notes when flush() resolves, and resolves with when it was called.
 */
function startFlush() {
  return new Promise((called) => {
    setTimeout(function loadBenchFlush() {
      const calledAt = Date.now();
      window.QueryTrail.instance.flush().then(() => {
        window.flushResolvedAt = Date.now();
      });
      called(calledAt);
    });
  });
}

async function until(condition, deadline) {
  while (!condition() && Date.now() < deadline) await new Promise((later) => setTimeout(later, 50));
}

/** Counts what reaches the collector for `userToken`, from now on. */
function watchCollector(server, userToken) {
  const seen = { requests: 0, bytes: 0, invalid: 0, lastFirstArrival: 0, timesReceived: new Map() };
  const onRequest = (req) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/1/events')) return;
    seen.requests += 1;
    // QueryTrail's bodies are strings, which the browser sends with their length.
    seen.bytes += Number(req.headers['content-length'] ?? 0);
  };
  server.http.on('request', onRequest);
  const unsubscribe = server.collector.subscribe(({ events }) => {
    for (const { event, valid, at } of events) {
      if (event?.userToken !== userToken) continue;
      if (!valid) seen.invalid += 1;
      const id = event.objectIDs?.[0];
      const times = (seen.timesReceived.get(id) ?? 0) + 1;
      seen.timesReceived.set(id, times);
      if (times === 1) seen.lastFirstArrival = Math.max(seen.lastFirstArrival, at);
    }
  });
  const stop = () => {
    server.http.off('request', onRequest);
    unsubscribe();
  };
  return { seen, stop };
}

/** QueryTrail's console messages, but the one debug mode writes per event. */
function recordMessages(page) {
  const messages = [];
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('QueryTrail:') && !text.startsWith('QueryTrail: event ')) messages.push(text);
  });
  page.on('pageerror', (error) => messages.push(`uncaught: ${error.message}`));
  return messages;
}

const largestMs = (tasks) => Math.max(0, ...tasks.map((task) => task.dur)) / 1000;

/** The tasks from the one that called flush() on. */
function tasksFromFlush(events, tasks) {
  const call = events.find((event) => event.name === 'FunctionCall' && event.args?.data?.functionName === FLUSH_MARKER);
  if (!call) throw new Error('the call to flush() is not in the trace');
  const callTask = taskAt(tasks, call.ts);
  return tasks.filter((task) => task.ts >= (callTask ?? call).ts);
}

async function measure(browser, server, count) {
  const userToken = `load-${count}`;
  // What earlier sizes left at the collector is of no use here, and would only take memory.
  server.collector.reset();
  const context = await browser.newContext();
  const { seen, stop } = watchCollector(server, userToken);
  try {
    const page = await context.newPage();
    const messages = recordMessages(page);
    // The page's own count: a request the browser refused or failed never reaches the collector.
    let issued = 0;
    let issuedInTime = 0;
    page.on('request', (request) => {
      if (request.url().startsWith(`${server.origin}/1/events`)) issued += 1;
    });
    await page.goto(`${server.origin}/load?userToken=${userToken}`);
    await page.waitForFunction(() => Boolean(window.QueryTrail?.instance), undefined, { polling: 20, timeout: 10_000 });
    let tracked;
    let flushCalledAt = 0;
    let flushResolvedAt = null;
    const { events, tasks } = await traced(browser, page, server.origin, async () => {
      tracked = await page.evaluate(trackAll, { count, chunk: CHUNK, objectIDs: OBJECT_IDS, objectIDLength: OBJECT_ID_LENGTH });
      flushCalledAt = await page.evaluate(startFlush);
      await until(() => seen.timesReceived.size >= tracked.accepted, flushCalledAt + CAP_MS);
      // What arrives while the trace is collected came after the wait: it does not count.
      stop();
      issuedInTime = issued;
      flushResolvedAt = await page.evaluate(() => window.flushResolvedAt ?? null);
    });
    const received = seen.timesReceived.size;
    return {
      count,
      ...tracked,
      received,
      allArrived: received >= tracked.accepted,
      deliverMs: seen.lastFirstArrival - flushCalledAt,
      flushResolvedMs: flushResolvedAt === null ? null : flushResolvedAt - flushCalledAt,
      requests: seen.requests,
      undeliveredRequests: issuedInTime - seen.requests,
      bytes: seen.bytes,
      invalid: seen.invalid,
      largestTaskMs: largestMs(tasks),
      largestTaskFromFlushMs: largestMs(tasksFromFlush(events, tasks)),
      longTasks: tasks.filter((task) => task.dur >= LONG_TASK_MS * 1000).length,
      lost: tracked.accepted - received,
      duplicated: [...seen.timesReceived.values()].filter((times) => times > 1).length,
      messages,
    };
  } finally {
    stop();
    await context.close();
  }
}

const number = (value) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
const milliseconds = (ms) => `${number(ms)} ms`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function printTable(runs, chromium) {
  console.log(`QueryTrail under load: ${chromium}, flush interval default, collector answering 200 at once\n`);
  console.log('| events | time to deliver | requests | bytes | largest task | lost | duplicated |');
  console.log('|---|---|---|---|---|---|---|');
  for (const run of runs) {
    const time = run.allArrived ? seconds(run.deliverMs) : `not all in ${seconds(CAP_MS)}`;
    const cells = [
      number(run.count),
      time,
      number(run.requests),
      number(run.bytes),
      `${milliseconds(run.largestTaskMs)} (from flush(): ${milliseconds(run.largestTaskFromFlushMs)})`,
      number(run.lost),
      number(run.duplicated),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

/** Messages counted by wording: the numbers in them (delays, counts) are left out. */
function byWording(messages) {
  const counts = new Map();
  for (const message of messages) {
    const wording = message.replace(/\d+/g, '#');
    counts.set(wording, (counts.get(wording) ?? 0) + 1);
  }
  return [...counts].map(([wording, times]) => `${times} × ${wording}`);
}

function printNotes(runs) {
  console.log(
    `\nEach event: ${OBJECT_IDS} objectIDs of ${OBJECT_ID_LENGTH} characters; ${CHUNK} track() calls per task; waiting capped at ${seconds(CAP_MS)} after flush().`,
  );
  for (const run of runs) {
    const flushed = run.flushResolvedMs === null ? 'not resolved by the end' : `resolved after ${seconds(run.flushResolvedMs)}`;
    console.log(`\n${number(run.count)} events:`);
    console.log(`- track() accepted ${number(run.accepted)}; slowest task of ${CHUNK} track() calls ${milliseconds(run.slowestChunkMs)}`);
    const last = run.received ? `last first arrival ${seconds(run.deliverMs)} after flush()` : 'nothing arrived';
    console.log(`- flush() ${flushed}; ${last}`);
    console.log(`- requests the page made that never reached the collector (refused or failed): ${number(run.undeliveredRequests)}`);
    console.log(`- tasks of ${LONG_TASK_MS} ms or more: ${run.longTasks}; events the collector found invalid: ${run.invalid}`);
    const messages = byWording(run.messages);
    console.log(`- QueryTrail's console messages: ${messages.length ? '' : 'none'}`);
    for (const message of messages) console.log(`  - ${message}`);
  }
}

if (!existsSync(LIBRARY)) throw new Error('dist/querytrail.min.js is missing: run `npm run build` first');
const server = await startServer({ appId: APP_ID, apiKey: API_KEY, scripts: { [LIBRARY_PATH]: readFileSync(LIBRARY) }, page: pageFor });
const browser = await launchChromium();
try {
  const runs = [];
  for (const count of SIZES) {
    process.stderr.write(`${number(count)} events…\n`);
    runs.push(await measure(browser, server, count));
  }
  printTable(runs, `Chromium ${browser.version()}`);
  printNotes(runs);
} finally {
  await browser.close();
  await server.close();
}
