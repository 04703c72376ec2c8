// `npm run bench` (after `npm run build`): QueryTrail side by side with what a site would use
// instead, each on the same results page in the same run of headless Chromium. Prints markdown on
// stdout (progress on stderr): first the summary of issue 18 (QueryTrail as ratios of search-insights
// with its listener, and the cost per object), then every figure; writes every run's figures to
// bench/results/latest.json. Asserts nothing. What each figure means: the notes printed under the
// tables (bench/report.mjs).
//
// Each run opens every contender in turn, in a fresh browser context, on pages of 100, 1,000 and
// 10,000 results, and traces each phase on its own:
//   start   navigation until START_SETTLE_MS after load and the contender's start (async script in <head>);
//   heap    JS heap used after two forced garbage collections, right after start;
//   clicks  CLICKS synthetic clicks on distinct results' titles, one per task, then QueryTrail's
//           flush(), then CLICK_SETTLE_MS; then requests are counted at both ends;
//   dispatch the same clicks on a fresh page of the same size, untraced: each click's dispatch
//           timed by the page itself (cross-origin isolated, so its clock has 5 µs steps);
//   append  APPENDED results added in one insertAdjacentHTML, then APPEND_SETTLE_MS.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { launchChromium } from '../tools/chromium.mjs';
import { printReport, summarize } from './report.mjs';
import { startServer } from './server.mjs';
import { clickTasks, scriptRuns, sumDurations, taskAt, threadTime, traced } from '../tools/trace.mjs';

// BENCH_RUNS=1 for a quick look, more for steadier medians (each run adds about a minute and a half).
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const PAGE_SIZES = [100, 1_000, 10_000];
const CLICKS = 200;
const APPENDED = 1_000;
const START_SETTLE_MS = 1_000;
const CLICK_SETTLE_MS = 300;
const APPEND_SETTLE_MS = 600;
// QueryTrail retries a batch the browser refused after 0.5–1.5 s.
const QUIET_MS = 2_000;
const APP_ID = 'BENCHAPPID';
const API_KEY = 'bench-search-only-key';
const QUERY_ID = '0123456789abcdef0123456789abcdef';
const FILES = {
  '/dist/querytrail.min.js': new URL('../dist/querytrail.min.js', import.meta.url),
  '/vendor/search-insights.js': new URL('../node_modules/search-insights/dist/search-insights.iife.min.js', import.meta.url),
  '/bench/search-insights-gtm.js': new URL('./contenders/search-insights-gtm.js', import.meta.url),
};
// Served minified, as a tag manager serves its tags: its comments are not what a page pays for.
const MINIFIED_ON_THE_FLY = new Set(['/bench/search-insights-gtm.js']);

async function minify(file) {
  const bundle = await rollup({ input: fileURLToPath(file), plugins: [terser()] });
  const { output } = await bundle.generate({ format: 'iife' });
  await bundle.close();
  return Buffer.from(output[0].code);
}

/** What the server sends for each path in FILES. */
const servedFiles = async () =>
  Object.fromEntries(
    await Promise.all(
      Object.entries(FILES).map(async ([path, file]) => [path, MINIFIED_ON_THE_FLY.has(path) ? await minify(file) : readFileSync(file)]),
    ),
  );

const queryTrailTag =
  (views) =>
  ({ origin, userToken }) =>
    `<script src="/dist/querytrail.min.js" async data-app-id="${APP_ID}" data-api-key="${API_KEY}" data-endpoint="${origin}" data-user-token="${userToken}" data-views="${views}"></script>`;

/** `ready`: a page expression that is true once the contender has started. */
const CONTENDERS = [
  { id: 'floor', label: '(a) no instrumentation', scripts: [], tag: () => '', ready: 'true' },
  {
    id: 'searchInsights',
    label: '(b) search-insights + click listener',
    scripts: ['/bench/search-insights-gtm.js', '/vendor/search-insights.js'],
    tag: ({ origin, userToken }) =>
      `<script src="/bench/search-insights-gtm.js" async data-app-id="${APP_ID}" data-api-key="${API_KEY}" data-host="${origin}" data-user-token="${userToken}" data-library="/vendor/search-insights.js"></script>`,
    ready: 'Boolean(window.AlgoliaAnalytics)',
  },
  {
    id: 'queryTrail',
    label: '(c) QueryTrail, views off',
    scripts: ['/dist/querytrail.min.js'],
    tag: queryTrailTag(false),
    ready: 'Boolean(window.QueryTrail?.instance)',
  },
  // Views are work (b) does not do at all; shown for what a site gets with the defaults.
  {
    id: 'queryTrailViews',
    label: "(c') QueryTrail, defaults (views on)",
    scripts: ['/dist/querytrail.min.js'],
    tag: queryTrailTag(true),
    ready: 'Boolean(window.QueryTrail?.instance)',
  },
];

const resultItem = (position) =>
  `<li data-insights-object-id="product-${position}" data-insights-position="${position}"><h2>Product ${position}</h2><p>${(position % 90) + 9}.99 EUR</p></li>`;
const resultItems = (from, count) => Array.from({ length: count }, (_, n) => resultItem(from + n)).join('');

const resultsPage = ({ contender, results, origin, userToken }) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Results</title>
${contender.tag({ origin, userToken })}
<style>body { margin: 0; font: 14px sans-serif } ol { margin: 0; padding: 0; list-style: none } li { height: 40px; overflow: hidden } h2, p { display: inline; margin: 0 8px; font-size: 14px }</style>
</head><body><ol id="results" data-insights-index="products" data-insights-query-id="${QUERY_ID}">${resultItems(1, results)}</ol></body></html>`;

/** The results page of the contender and size the URL names; none for any other URL. */
function pageFor(url, origin) {
  const contender = CONTENDERS.find(({ id }) => id === url.searchParams.get('contender'));
  if (url.pathname !== '/results' || !contender) return undefined;
  return resultsPage({ contender, results: Number(url.searchParams.get('results')), origin, userToken: url.searchParams.get('userToken') });
}

// Init script: long tasks as the page's own monitoring would see them, from before any page script.
function recordLongTasks() {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((entry) => entry.duration))).observe({
    type: 'longtask',
    buffered: true,
  });
}

// Init script: the click loop both click phases run in the page. Each click is in a task of its
// own, on a distinct result's title where there are enough (on a short page, each in turn again);
// `timed` returns each click's dispatch in µs, sorted, as the page's clock reads it.
function defineClickResults() {
  window.clickResults = async (count, results, timed) => {
    const titles = document.querySelectorAll('#results h2');
    const step = Math.max(1, Math.floor(results / count));
    const channel = new MessageChannel();
    const nextTask = () =>
      new Promise((resolve) => {
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(null);
      });
    const times = [];
    for (let n = 0; n < count; n++) {
      await nextTask();
      const title = titles[(n * step) % titles.length];
      if (!timed) {
        title.click();
        continue;
      }
      const before = performance.now();
      title.click();
      times.push((performance.now() - before) * 1000);
    }
    return times.sort((a, b) => a - b);
  };
}

const VIEWPORT = { width: 1200, height: 800 };

const ms = (us) => us / 1000;

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((later) => setTimeout(later, 20));
}

/** Loads the contender's page and waits until it started, then START_SETTLE_MS more. */
async function loadAndSettle(page, url, contender) {
  await page.goto(url);
  await page.waitForFunction(contender.ready, undefined, { polling: 20, timeout: 10_000 });
  await page.waitForTimeout(START_SETTLE_MS);
}

async function measureStart(browser, page, { origin, url, contender }) {
  const { events, tasks } = await traced(browser, page, origin, () => loadAndSettle(page, url, contender));
  const runs = scriptRuns(
    events,
    contender.scripts.map((path) => origin + path),
  );
  const ownByTask = new Map();
  for (const run of runs) {
    const task = taskAt(tasks, run.ts);
    if (task) ownByTask.set(task, (ownByTask.get(task) ?? 0) + threadTime(run));
  }
  return {
    startBusy: ms(sumDurations(tasks)),
    startScript: ms(sumDurations(runs)),
    startLongestTask: ms(Math.max(0, ...tasks.map((task) => task.dur))),
    startMostOwnInOneTask: ms(Math.max(0, ...ownByTask.values())),
    startLongTasks: (await page.evaluate(() => window.longTasks)).length,
  };
}

async function measureHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return { heapKB: usedSize / 1024 };
}

async function measureClicks(browser, page, { origin, results, collector, userToken }) {
  // Counted at both ends: the browser may refuse or fail a request the page made (its keepalive budgets).
  const sent = { issued: 0, delivered: 0, events: 0, invalid: 0, lastAt: Date.now() };
  const onRequest = (request) => {
    if (!request.url().startsWith(`${origin}/1/events`)) return;
    sent.issued += 1;
    sent.lastAt = Date.now();
  };
  page.on('request', onRequest);
  const unsubscribe = collector.subscribe(({ request, events }) => {
    if (request.method !== 'POST' || events[0]?.event.userToken !== userToken) return;
    Object.assign(sent, { delivered: sent.delivered + 1, events: sent.events + events.length, lastAt: Date.now() });
    sent.invalid += events.filter(({ valid }) => !valid).length;
  });
  // The page's request events leave out CORS preflights, and a preflight carries no user token:
  // counted at the collector from before the clicks, as no other page is open meanwhile.
  const preflightCount = () => collector.requests.filter(({ method }) => method === 'OPTIONS').length;
  const preflightsBefore = preflightCount();
  const { events, tasks } = await traced(browser, page, origin, () =>
    page.evaluate(
      async ({ count, results, settleMs }) => {
        await window.clickResults(count, results, false);
        await window.QueryTrail?.instance.flush();
        await new Promise((done) => setTimeout(done, settleMs));
      },
      { count: CLICKS, results, settleMs: CLICK_SETTLE_MS },
    ),
  );
  // Requests still on their way, or retried: until every click arrived, or nothing moved for a while.
  await until(() => sent.events >= CLICKS || Date.now() - sent.lastAt > QUIET_MS, 10_000);
  page.off('request', onRequest);
  unsubscribe();
  const taskTimes = clickTasks(events, tasks).sort((a, b) => a - b);
  if (taskTimes.length !== CLICKS) throw new Error(`${taskTimes.length} click dispatches in the trace, expected ${CLICKS}`);
  const preflights = preflightCount() - preflightsBefore;
  return {
    clickMedian: taskTimes[Math.floor(CLICKS / 2)],
    clickP95: taskTimes[Math.ceil(CLICKS * 0.95) - 1],
    clickAllIn: sumDurations(tasks) / CLICKS,
    requests: sent.delivered + preflights,
    preflights,
    requestsUndelivered: sent.issued - sent.delivered,
    eventsDelivered: sent.events,
    eventsInvalid: sent.invalid,
  };
}

/**
 * The clicks' dispatch as the page's own code would time it, untraced: tracing slows every call
 * into script, so the traced click task counts a contender's script several times over. What a
 * click queues for its own task's microtasks, or for later tasks, is not counted here.
 */
async function measureClickDispatch(browser, { url, contender, results }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.addInitScript(defineClickResults);
    await loadAndSettle(page, `${url}-dispatch`, contender);
    const times = await page.evaluate(
      ({ count, results }) => {
        if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: its clock counts in 100 µs steps');
        return window.clickResults(count, results, true);
      },
      { count: CLICKS, results },
    );
    return { clickDispatchMedian: times[Math.floor(CLICKS / 2)], clickDispatchP95: times[Math.ceil(CLICKS * 0.95) - 1] };
  } finally {
    await context.close();
  }
}

async function measureAppend(browser, page, { origin, results, contender }) {
  const html = resultItems(results + 1, APPENDED);
  const { events, tasks } = await traced(browser, page, origin, () =>
    page.evaluate(
      async ({ html, settleMs }) => {
        document.getElementById('results').insertAdjacentHTML('beforeend', html);
        await new Promise((done) => setTimeout(done, settleMs));
      },
      { html, settleMs: APPEND_SETTLE_MS },
    ),
  );
  const runs = scriptRuns(
    events,
    contender.scripts.map((path) => origin + path),
  );
  return { appendBusy: ms(sumDurations(tasks)), appendScript: ms(sumDurations(runs)) };
}

async function measure(browser, { origin, collector }, contender, results, run) {
  const userToken = `bench-${run}-${results}-${contender.id}`;
  const url = `${origin}/results?contender=${contender.id}&results=${results}&userToken=${userToken}`;
  const context = await browser.newContext({ viewport: VIEWPORT });
  const figures = {};
  try {
    const page = await context.newPage();
    await page.addInitScript(recordLongTasks);
    await page.addInitScript(defineClickResults);
    Object.assign(figures, await measureStart(browser, page, { origin, url, contender }), await measureHeap(page));
    Object.assign(figures, await measureClicks(browser, page, { origin, results, collector, userToken }));
    Object.assign(figures, await measureAppend(browser, page, { origin, results, contender }));
  } finally {
    await context.close();
  }
  return Object.assign(figures, await measureClickDispatch(browser, { url, contender, results }));
}

if (!existsSync(FILES['/dist/querytrail.min.js'])) throw new Error('dist/querytrail.min.js is missing: run `npm run build` first');
const began = Date.now();
const files = await servedFiles();
const gzippedBytes = (scripts) => scripts.reduce((sum, path) => sum + gzipSync(files[path], { level: 9 }).length, 0);
const server = await startServer({ appId: APP_ID, apiKey: API_KEY, scripts: files, page: pageFor, isolated: true });
const browser = await launchChromium();
try {
  /** runs[results][contender id] = figures of each run */
  const runs = Object.fromEntries(PAGE_SIZES.map((results) => [results, Object.fromEntries(CONTENDERS.map(({ id }) => [id, []]))]));
  for (let run = 1; run <= RUNS; run++) {
    for (const results of PAGE_SIZES) {
      for (const contender of CONTENDERS) {
        process.stderr.write(`run ${run}/${RUNS}, ${results} results, ${contender.id}\n`);
        runs[results][contender.id].push(await measure(browser, server, contender, results, run));
      }
    }
  }
  const setup = {
    chromium: browser.version(),
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    runs: RUNS,
    clicks: CLICKS,
    appended: APPENDED,
    settleMs: { start: START_SETTLE_MS, clicks: CLICK_SETTLE_MS, append: APPEND_SETTLE_MS },
    seconds: Math.round((Date.now() - began) / 1000),
  };
  const contenders = CONTENDERS.map(({ id, label, scripts }) => ({ id, label, scripts, gzipBytes: gzippedBytes(scripts) }));
  const summary = summarize({ setup, contenders, runs });
  printReport({ setup, contenders, summary });
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    new URL('latest.json', resultsDir),
    `${JSON.stringify({ date: new Date().toISOString(), setup, contenders, summary, runs }, null, 2)}\n`,
  );
} finally {
  await browser.close();
  await server.close();
}
