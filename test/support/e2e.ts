/**
 * End-to-end harness. Each test file in test/e2e calls `setupE2E()`, which starts one HTTP server on
 * 127.0.0.1 serving, all on one origin (so `default-src 'self'` covers everything):
 *   /1/events    the local Insights collector (tools/collector.mjs)
 *   /dist/...    the built library (run `npm run build` first)
 *   /...         files from test/e2e/fixtures/
 * and one Chromium (tools/chromium.mjs); every `open()` gets a fresh browser context, closed after the test
 * (`openTab()` opens another tab in one of them).
 * After each test, every event the collector received must be valid against the official schema,
 * and no page may have thrown an uncaught error.
 *
 * Adding a fixture page: put `name.html` (and any scripts it loads) in test/e2e/fixtures/ and
 * open it with `e2e.open('/name.html')`. In fixture .html and .js files, `{{origin}}`, `{{appId}}`
 * and `{{apiKey}}` are replaced with the server's origin and the credentials the collector
 * accepts, e.g. `<script src="/dist/querytrail.min.js" async data-app-id="{{appId}}"
 * data-api-key="{{apiKey}}" data-endpoint="{{origin}}" data-flush-interval="200"></script>`.
 * Response headers for a page go in a sidecar JSON file next to it, `name.html.headers.json`,
 * e.g. `{ "Content-Security-Policy": "default-src 'self'" }`.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createCollector, type Collector } from '../../tools/collector.mjs';
import { launchChromium } from '../../tools/chromium.mjs';

export const APP_ID = 'E2EAPPID';
export const API_KEY = 'e2e-search-only-key';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const distDir = resolve(repoRoot, 'dist');
const fixturesDir = fileURLToPath(new URL('../e2e/fixtures', import.meta.url));
const libraryFile = resolve(distDir, 'querytrail.min.js');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};
const TEMPLATED = new Set(['.html', '.js']);

/** What the page-side probe (installed before any page script runs) has seen. */
export interface PageProbe {
  securityViolations: string[];
  rejects: Array<{ rule: string; elementId: string | null }>;
  acceptedEvents: unknown[];
}

// `window.QueryTrail` is declared by src/auto.ts.
declare global {
  interface Window {
    queryTrailProbe: PageProbe;
  }
}

export interface ConsoleEntry {
  text: string;
  /** The script that logged it, or for network errors the resource that failed. */
  url: string;
}

export interface TrackedPage {
  page: Page;
  pageErrors: string[];
  consoleErrors: ConsoleEntry[];
  /** What the page-side probe saw so far. */
  probe(): Promise<PageProbe>;
  /** Console errors logged by the library's own code (not the browser's network errors). */
  queryTrailErrors(): ConsoleEntry[];
}

export interface E2E {
  readonly collector: Collector;
  /** `http://127.0.0.1:<port>` of the fixtures and the collector, known once the file's beforeAll hooks ran. */
  readonly origin: string;
  /** The full URL of a fixture path on that origin, e.g. for a browser the harness did not start. */
  url(path: string): string;
  /**
   * Opens a fixture page in a fresh context and waits until `QueryTrail.instance` exists, unless
   * `waitForQueryTrail` is false: a page that imports the ESM build starts QueryTrail from its own
   * code, when the test tells it to.
   */
  open(path: string, options?: { waitForQueryTrail?: boolean }): Promise<TrackedPage>;
  /**
   * Opens a fixture page as another tab of `context` (the same storage and network conditions,
   * as another tab of the same user), with the same checks after the test as `open()`.
   * `beforeLoad` gets the new tab before it loads the page (to start a trace of it, say).
   */
  openTab(context: BrowserContext, path: string, beforeLoad?: (page: Page) => Promise<void>): Promise<TrackedPage>;
}

export function setupE2E(): E2E {
  const collector = createCollector({ appId: APP_ID, apiKey: API_KEY });
  const server = createServer((req, res) => {
    if (!collector.handle(req, res)) serveFile(req, res, origin).catch(() => res.writeHead(500).end());
  });
  let origin = '';
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pages: TrackedPage[] = [];

  beforeAll(async () => {
    if (!existsSync(libraryFile)) throw new Error(`${libraryFile} is missing: run \`npm run build\` first`);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    collector.reset();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  beforeEach(() => collector.reset());

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    const pageErrors = pages.splice(0).flatMap((tracked) => tracked.pageErrors);
    expectOnlyValidEvents(collector);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  const knownOrigin = () => {
    if (!origin) throw new Error('setupE2E() must run its beforeAll hook before the origin is known');
    return origin;
  };
  const url = (path: string) => new URL(path, knownOrigin()).href;

  return {
    collector,
    get origin() {
      return knownOrigin();
    },
    url,
    async open(path, { waitForQueryTrail = true } = {}) {
      if (!browser) throw new Error('setupE2E() must run its beforeAll hook before open()');
      const context = await browser.newContext();
      contexts.push(context);
      return openTab(context, path, waitForQueryTrail);
    },
    openTab: (context, path, beforeLoad) => openTab(context, path, true, beforeLoad),
  };

  async function openTab(context: BrowserContext, path: string, started = true, beforeLoad?: (page: Page) => Promise<void>): Promise<TrackedPage> {
    const page = await context.newPage();
    const tracked = track(page);
    pages.push(tracked);
    await page.addInitScript(installProbe);
    await beforeLoad?.(page);
    await page.goto(url(path));
    if (started) await waitForQueryTrail(page);
    return tracked;
  }
}

/** Every event the collector ever received is one the Insights API accepts. */
export function expectOnlyValidEvents(collector: Collector): void {
  const invalid = collector.received.filter(({ valid }) => !valid).map(({ event, errors }) => ({ event, errors }));
  expect(invalid, 'events that fail the official schema reached the collector').toEqual([]);
}

/** Resolves with the received events (those that pass `where`) once there are at least `count` of them. */
export async function waitForEvents(
  collector: Collector,
  count: number,
  where: (event: Record<string, unknown>) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Array<Record<string, unknown>>> {
  const matching = () => receivedEvents(collector).filter(where);
  await pollUntil(
    () => matching().length >= count,
    timeoutMs,
    () => `expected ${count} matching event(s) at the collector, got: ${JSON.stringify(receivedEvents(collector))}`,
  );
  return matching();
}

/** Waits `quietMs` and checks that nothing beyond `count` events arrived meanwhile (no duplicates, no late sends). */
export async function expectNoMoreEvents(collector: Collector, count: number, quietMs = 600): Promise<void> {
  await sleep(quietMs);
  expect(receivedEvents(collector), `exactly ${count} event(s) should have reached the collector`).toHaveLength(count);
}

function receivedEvents(collector: Collector): Array<Record<string, unknown>> {
  return collector.received.map(({ event }) => event as Record<string, unknown>);
}

export function postRequests(collector: Collector) {
  return collector.requests.filter(({ method }) => method === 'POST');
}

export async function flush(page: Page): Promise<void> {
  await page.evaluate(() => window.QueryTrail?.instance?.flush());
}

export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function track(page: Page): TrackedPage {
  const pageErrors: string[] = [];
  const consoleErrors: ConsoleEntry[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push({ text: message.text(), url: message.location().url });
  });
  return {
    page,
    pageErrors,
    consoleErrors,
    probe: () => page.evaluate(() => window.queryTrailProbe),
    queryTrailErrors: () => consoleErrors.filter(({ url }) => url.includes('/dist/querytrail')),
  };
}

/**
 * Runs in the page before its own scripts (`page.addInitScript(installProbe)`; `open()` does it);
 * init scripts are exempt from the page's CSP.
 */
export function installProbe(): void {
  const probe: PageProbe = { securityViolations: [], rejects: [], acceptedEvents: [] };
  window.queryTrailProbe = probe;
  document.addEventListener('securitypolicyviolation', (event) => {
    probe.securityViolations.push(
      `${event.violatedDirective} blocked ${event.blockedURI || 'inline code'} (${event.sourceFile}:${event.lineNumber})`,
    );
  });
  document.addEventListener('querytrail:reject', (event) => {
    const { rule, element } = (event as CustomEvent<{ rule?: unknown; element?: Element | null }>).detail ?? {};
    probe.rejects.push({ rule: String(rule), elementId: element?.closest('[id]')?.id ?? null });
  });
  document.addEventListener('querytrail:event', (event) => {
    probe.acceptedEvents.push((event as CustomEvent<unknown>).detail);
  });
}

/**
 * Waits until QueryTrail started on the page: its script is `async`, and what happens before that is
 * not its to see. Polled from Node rather than with `page.waitForFunction`, which a strict CSP could
 * interfere with; an evaluate that fails because the page is still navigating counts as "not yet".
 */
export async function waitForQueryTrail(page: Page): Promise<void> {
  await pollUntil(
    () => page.evaluate(() => Boolean(window.QueryTrail?.instance)).catch(() => false),
    5_000,
    () => `window.QueryTrail.instance never appeared on ${page.url()}`,
  );
}

async function serveFile(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', origin);
  // Browsers ask for it on their own; a 404 would add a console error to every page.
  if (pathname === '/favicon.ico') return void res.writeHead(204).end();
  const [baseDir, relative] = pathname.startsWith('/dist/') ? [distDir, pathname.slice('/dist/'.length)] : [fixturesDir, pathname.slice(1)];
  const file = resolve(baseDir, decodeURIComponent(relative));
  const servable = file.startsWith(baseDir + sep) && !file.endsWith('.headers.json') && (await stat(file).catch(() => null))?.isFile();
  if (!servable) return void res.writeHead(404).end();
  const extension = extname(file);
  const raw = await readFile(file);
  const body =
    baseDir === fixturesDir && TEMPLATED.has(extension)
      ? raw.toString('utf8').replaceAll('{{origin}}', origin).replaceAll('{{appId}}', APP_ID).replaceAll('{{apiKey}}', API_KEY)
      : raw;
  const headersFile = `${file}.headers.json`;
  const pageHeaders: Record<string, string> = existsSync(headersFile) ? JSON.parse(await readFile(headersFile, 'utf8')) : {};
  res
    .writeHead(200, {
      'Content-Type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      ...pageHeaders,
    })
    .end(body);
}

/** Every objectID the collector received a view of, once per time it was reported. */
export function viewedObjectIDs(collector: Collector): string[] {
  return collector.received
    .map(({ event }) => event as Record<string, unknown>)
    .filter(({ eventType }) => eventType === 'view')
    .flatMap(({ objectIDs }) => objectIDs as string[]);
}

export async function waitForViews(collector: Collector, objectIDs: readonly string[], timeoutMs = 5_000): Promise<void> {
  await pollUntil(
    () => objectIDs.every((objectID) => viewedObjectIDs(collector).includes(objectID)),
    timeoutMs,
    () => `expected views of ${objectIDs.join(', ')}; received: ${JSON.stringify(collector.received.map(({ event }) => event))}`,
  );
}
