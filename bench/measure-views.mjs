// Measures the main-thread cost of QueryTrail's view tracking in Chromium with the built IIFE
// (run `npm run build` first; then `node bench/measure-views.mjs`). Prints figures; asserts nothing.
//
// Every scenario runs RUNS times in a fresh browser context (viewport 1200×800, results 40px high,
// so 20 are in view) and prints the median and the range [min–max]. Each run is traced with
// Chromium's timeline categories; from the trace of the page's renderer main thread:
//   - main thread busy: the summed duration of the top-level tasks (RunTask) in the window. Compared
//     with and without QueryTrail on the same page doing the same thing, the difference is the time
//     QueryTrail adds, including work the browser does on its behalf (computing intersections for
//     observed elements, mutation records), which no in-page timer can see.
//   - QueryTrail script: time spent in QueryTrail's own functions (FunctionCall and EvaluateScript
//     events whose script is dist/querytrail.min.js), wherever they ran.
//   - intersections: Blink's IntersectionObserver computation, which grows with observed elements.
//   - longest task with QueryTrail code: the longest top-level task that ran any QueryTrail function
//     (it may be mostly the page's own parsing or layout), and the most QueryTrail script in one task:
//     QueryTrail's own share of a task, the figure to hold against the 50 ms of a long task.
// The page also registers a `longtask` PerformanceObserver (buffered, from an init script, before any
// page script): what a site's own monitoring would report. "none" means no task over 50 ms.
// Tracing itself slows the renderer a little, equally in both variants.
//
// (a) 1,000 objects appended at once: one `list.append()` of 1,000 <li data-insights-object-id> to
//     a results list, measured over the 1,500 ms that follow (QueryTrail follows the DOM, observes
//     each object, and one second later reports and sends the views of the 20 in view).
// (b) Start with 10,000 objects: the page's HTML holds 10,000 objects and QueryTrail loads with the
//     documented `async` snippet in <head>; measured from navigation to 1,500 ms after the load event.
// (c) The same page, QueryTrail injected 500 ms after load, as a tag manager does; measured from the
//     injection to 1,500 ms after it started.
import { readFileSync } from 'node:fs';
import { launchChromium } from '../tools/chromium.mjs';
import { startServer } from './server.mjs';
import { mainThreadEvents, outermost, topLevelTasks, TRACE_CATEGORIES } from '../tools/trace.mjs';

const RUNS = 5;
const SETTLE_MS = 1_500;
const APP_ID = 'MEASUREAPPID';
const API_KEY = 'measure-search-only-key';
const LIBRARY = new URL('../dist/querytrail.min.js', import.meta.url);
const LIBRARY_PATH = '/dist/querytrail.min.js';
const QUERY_ID = '0123456789abcdef0123456789abcdef';

const results = (count) => Array.from({ length: count }, (_, n) => `<li data-insights-object-id="result-${n + 1}">Result ${n + 1}</li>`).join('');

function page({ withTrail, objects, origin }) {
  const trail = withTrail
    ? `<script src="${LIBRARY_PATH}" async data-app-id="${APP_ID}" data-api-key="${API_KEY}" data-endpoint="${origin}" data-user-token="measure" data-flush-interval="200"></script>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Results</title>${trail}
<style>body { margin: 0 } ol { margin: 0; padding: 0; list-style: none } li { height: 40px; box-sizing: border-box; border-bottom: 1px solid #ddd }</style></head>
<body><ol id="results" data-insights-index="products" data-insights-query-id="${QUERY_ID}">${results(objects)}</ol></body></html>`;
}

/** The results page the URL asks for (`trail=1`: with QueryTrail, `objects`: how many results). */
function pageFor(url, origin) {
  if (url.pathname !== '/results') return undefined;
  return page({ withTrail: url.searchParams.get('trail') === '1', objects: Number(url.searchParams.get('objects')), origin });
}

// Init script: long tasks as the page's own monitoring sees them, from before any page script.
function recordLongTasks() {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map(({ startTime, duration }) => ({ startTime, duration })))).observe({
    type: 'longtask',
    buffered: true,
  });
}

/** Figures for one traced window of the page's renderer main thread. */
function analyseTrace(buffer, origin) {
  const events = mainThreadEvents(buffer, origin);
  const libraryUrl = origin + LIBRARY_PATH;
  const tasks = topLevelTasks(events);
  const isTrailCode = (e) => (e.name === 'FunctionCall' || e.name === 'EvaluateScript') && (e.args?.data?.url ?? '').includes(libraryUrl);
  // A callback called from inside another QueryTrail call would count twice: only the outermost calls count.
  const outermostTrailCalls = outermost(events.filter(isTrailCode));
  const trailScriptByTask = new Map();
  for (const call of outermostTrailCalls) {
    const task = tasks.find((candidate) => call.ts >= candidate.ts && call.ts < candidate.ts + candidate.dur);
    if (task) trailScriptByTask.set(task, (trailScriptByTask.get(task) ?? 0) + call.dur);
  }
  const ms = (us) => us / 1000;
  return {
    busy: ms(tasks.reduce((sum, task) => sum + task.dur, 0)),
    longestTask: ms(Math.max(0, ...tasks.map((task) => task.dur))),
    trailScript: ms(outermostTrailCalls.reduce((sum, call) => sum + call.dur, 0)),
    intersections: ms(events.filter((e) => e.name === 'IntersectionObserverController::computeIntersections').reduce((sum, e) => sum + e.dur, 0)),
    longestTrailTask: ms(Math.max(0, ...[...trailScriptByTask.keys()].map((task) => task.dur))),
    mostTrailScriptInOneTask: ms(Math.max(0, ...trailScriptByTask.values())),
  };
}

async function waitForQueryTrail(page) {
  await page.waitForFunction(() => Boolean(window.QueryTrail?.instance), undefined, { timeout: 10_000, polling: 20 });
}

async function traced(browser, page, origin, during) {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  await during();
  const figures = analyseTrace(await browser.stopTracing(), origin);
  const longTasks = await page.evaluate(() => window.longTasks.map(({ duration }) => duration));
  return { ...figures, longestLongTask: Math.max(0, ...longTasks), longTasks: longTasks.length };
}

async function inFreshPage(browser, run) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(recordLongTasks);
    return await run(page);
  } finally {
    await context.close();
  }
}

const scenarios = {
  async appendThousand(browser, origin, withTrail) {
    return inFreshPage(browser, async (page) => {
      await page.goto(`${origin}/results?trail=${withTrail ? 1 : 0}&objects=0`);
      if (withTrail) await waitForQueryTrail(page);
      await page.waitForTimeout(500);
      await page.evaluate(() => (window.longTasks.length = 0));
      return traced(browser, page, origin, () =>
        page.evaluate(async (settleMs) => {
          const list = document.getElementById('results');
          const items = Array.from({ length: 1000 }, (_, n) => {
            const item = document.createElement('li');
            item.setAttribute('data-insights-object-id', `appended-${n + 1}`);
            item.textContent = `Result ${n + 1}`;
            return item;
          });
          list.append(...items);
          await new Promise((done) => setTimeout(done, settleMs));
        }, SETTLE_MS),
      );
    });
  },

  async startWithTenThousand(browser, origin, withTrail) {
    return inFreshPage(browser, async (page) =>
      traced(browser, page, origin, async () => {
        // `load` waits for the async snippet to have run.
        await page.goto(`${origin}/results?trail=${withTrail ? 1 : 0}&objects=10000`);
        await page.waitForTimeout(SETTLE_MS);
      }),
    );
  },

  async injectAfterLoad(browser, origin) {
    return inFreshPage(browser, async (page) => {
      await page.goto(`${origin}/results?trail=0&objects=10000`);
      await page.waitForTimeout(500);
      await page.evaluate(() => (window.longTasks.length = 0));
      return traced(browser, page, origin, async () => {
        await page.evaluate(
          ({ src, appId, apiKey, endpoint }) => {
            const script = document.createElement('script');
            Object.assign(script.dataset, { appId, apiKey, endpoint, userToken: 'measure', flushInterval: '200' });
            script.src = src;
            document.head.append(script);
          },
          { src: LIBRARY_PATH, appId: APP_ID, apiKey: API_KEY, endpoint: origin },
        );
        await waitForQueryTrail(page);
        await page.waitForTimeout(SETTLE_MS);
      });
    });
  },
};

async function repeat(measure) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await measure());
  return runs;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const format = (value) => value.toFixed(1).padStart(7);
function summary(runs, key) {
  const values = runs.map((run) => run[key]);
  return `${format(median(values))} ms  [${format(Math.min(...values)).trim()}–${format(Math.max(...values)).trim()}]`;
}
function longTaskSummary(runs) {
  const withLongTasks = runs.filter((run) => run.longTasks > 0);
  if (!withLongTasks.length) return 'none over 50 ms in any run';
  return `${summary(runs, 'longestLongTask')}  (runs with a long task: ${withLongTasks.length}/${runs.length})`;
}

function printComparison(title, without, withTrail) {
  console.log(`\n${title}`);
  const rows = [
    ['main thread busy', 'busy'],
    ['longest task', 'longestTask'],
  ];
  for (const [label, key] of rows) {
    console.log(`  ${label.padEnd(34)} without: ${summary(without, key)}   with: ${summary(withTrail, key)}`);
  }
  const added = median(withTrail.map((run) => run.busy)) - median(without.map((run) => run.busy));
  console.log(`  ${'added by QueryTrail (busy, medians)'.padEnd(34)} ${format(added)} ms`);
  printTrailFigures(withTrail);
  console.log(`  ${'long tasks (page observer)'.padEnd(34)} without: ${longTaskSummary(without)}   with: ${longTaskSummary(withTrail)}`);
}

function printTrailFigures(runs) {
  console.log(`  ${'QueryTrail script'.padEnd(34)} ${summary(runs, 'trailScript')}`);
  console.log(`  ${'intersections (Blink)'.padEnd(34)} ${summary(runs, 'intersections')}`);
  console.log(`  ${'longest task with QueryTrail code'.padEnd(34)} ${summary(runs, 'longestTrailTask')}`);
  console.log(`  ${'most QueryTrail script in one task'.padEnd(34)} ${summary(runs, 'mostTrailScriptInOneTask')}`);
}

const server = await startServer({ appId: APP_ID, apiKey: API_KEY, scripts: { [LIBRARY_PATH]: readFileSync(LIBRARY) }, page: pageFor });
const browser = await launchChromium();
try {
  console.log(
    `QueryTrail view tracking, ${browser.version()}, ${LIBRARY.pathname.split('/').slice(-2).join('/')}; ${RUNS} runs each: median [min–max]`,
  );
  const appendWithout = await repeat(() => scenarios.appendThousand(browser, server.origin, false));
  const appendWith = await repeat(() => scenarios.appendThousand(browser, server.origin, true));
  printComparison(`(a) 1,000 objects appended at once, then ${SETTLE_MS} ms`, appendWithout, appendWith);

  const startWithout = await repeat(() => scenarios.startWithTenThousand(browser, server.origin, false));
  const startWith = await repeat(() => scenarios.startWithTenThousand(browser, server.origin, true));
  printComparison(`(b) start with 10,000 objects in the HTML (async snippet in <head>), until ${SETTLE_MS} ms after load`, startWithout, startWith);

  const injected = await repeat(() => scenarios.injectAfterLoad(browser, server.origin));
  console.log(`\n(c) injected after load onto 10,000 objects, until ${SETTLE_MS} ms after start`);
  console.log(`  ${'main thread busy'.padEnd(34)} ${summary(injected, 'busy')}`);
  console.log(`  ${'longest task'.padEnd(34)} ${summary(injected, 'longestTask')}`);
  printTrailFigures(injected);
  console.log(`  ${'long tasks (page observer)'.padEnd(34)} ${longTaskSummary(injected)}`);

  const views = server.collector.received.filter(({ event }) => event.eventType === 'view');
  console.log(`\nview events received: ${views.length} (${views.filter(({ valid }) => !valid).length} invalid)`);
} finally {
  await browser.close();
  await server.close();
}
