// The QueryTrail demo: a small store instrumented only with data-insights-* attributes, a local
// Insights collector at POST /1/events, and an inspector that shows every event live.
// `node demo/server.mjs` (after `npm run build`) or `startDemo({ port: 0 })` from a test.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCollector } from '../tools/collector.mjs';
import { generateCatalog, searchCatalog, relatedProducts } from './catalog.mjs';
import {
  DEMO_API_KEY,
  DEMO_APP_ID,
  cartPage,
  checkoutPage,
  inspectorPage,
  legacyPage,
  notFoundPage,
  orderPage,
  productPage,
  resultsPart,
  searchPage,
} from './pages.mjs';

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */
/** @typedef {import('./public/funnel.js').IssuedSearch} IssuedSearch */

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const QUERYTRAIL_IIFE = new URL('../dist/querytrail.min.js', import.meta.url);
const QUERYTRAIL_ESM = new URL('../dist/querytrail.mjs', import.meta.url);
/** The markup audit, which QueryTrail loads from beside its own file on `querytrail('audit')` or `?querytrail-debug=audit`. */
const QUERYTRAIL_AUDIT = new URL('../dist/querytrail-audit.js', import.meta.url);
const CONTENT_TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
// What the pages must work under: no inline script or style anywhere.
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'self'",
  'Cache-Control': 'no-store',
};
const CART_COOKIE = 'demo_cart';
const MAX_REMEMBERED_SEARCHES = 2000;
const MAX_FORM_BYTES = 10_000;
const SSE_HEARTBEAT_MS = 20_000;
// The collector's default validator: tools/official-validator.mjs.
const VALIDATOR_NAME = 'Algolia’s official OpenAPI description of the Insights API';
const STAFF_PICKS = ['sku-1003', 'sku-1017', 'sku-1042', 'sku-1058', 'sku-1101', 'sku-1123', 'sku-1200', 'sku-1250'];

/**
 * QueryTrail's own way of telling the variant an event is meant to be, from the ESM build, so the
 * inspector names variants exactly as the library does.
 * @returns {Promise<(event: Record<string, unknown>) => string | undefined>}
 */
async function libraryVariantOf() {
  const build = await import(QUERYTRAIL_ESM.href).catch(() => ({}));
  if (typeof build.variantOf !== 'function') throw new Error('dist/querytrail.mjs with variantOf was not found: run `npm run build`.');
  // For an event that claims no variant, variantOf names the rule it breaks instead.
  return (event) => {
    const variant = build.variantOf(event);
    return variant in build.eventSchemas ? variant : undefined;
  };
}

/** A queryID like Algolia's: 32 lowercase hex characters, new for every search request. */
const newQueryID = () => randomBytes(16).toString('hex');

/**
 * The origin the browser used, so the endpoint stays same-origin (the CSP allows nothing else)
 * whether the store is opened as 127.0.0.1 or localhost.
 * @param {IncomingMessage} req @param {string} fallback
 */
function originOf(req, fallback) {
  const host = req.headers.host ?? '';
  return /^(?:[a-z0-9.-]+|\[[0-9a-f:]+\])(?::\d+)?$/i.test(host) ? `http://${host}` : fallback;
}

/** @param {IncomingMessage} req */
function cookie(req, name) {
  const pair = (req.headers.cookie ?? '').split(/;\s*/).find((part) => part.startsWith(`${name}=`));
  return pair?.slice(name.length + 1);
}

/** @param {IncomingMessage} req @returns {Promise<URLSearchParams>} */
function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) reject(new Error('form too large'));
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

/** @param {URLSearchParams} params */
function searchStateOf(params) {
  const page = Number.parseInt(params.get('page') ?? '0', 10);
  return {
    state: {
      query: (params.get('q') ?? '').trim().slice(0, 100),
      brand: params.get('brand') || undefined,
      category: params.get('category') || undefined,
    },
    page: Number.isFinite(page) && page > 0 ? page : 0,
  };
}

/**
 * @param {{ port?: number, host?: string }} [options]
 */
export async function startDemo({ port = 8080, host = '127.0.0.1' } = {}) {
  const collector = createCollector({ appId: DEMO_APP_ID, apiKey: DEMO_API_KEY, variantOf: await libraryVariantOf() });
  const catalog = generateCatalog();
  const productsById = new Map(catalog.map((product) => [product.objectID, product]));
  const staticFiles = new Set(readdirSync(PUBLIC_DIR));
  /** @type {Map<string, IssuedSearch>} */
  const searches = new Map();
  /** @type {Map<string, Map<string, number>>} cart id → objectID → quantity */
  const carts = new Map();
  /** @type {Map<number, { lines: ReturnType<typeof cartLines> }>} */
  const orders = new Map();
  // Order numbers start again at 1001 with each run of the demo: the order ID a browser keeps
  // for a week must still be new, or the purchase of a later run's order 1001 would not be sent.
  const runId = Date.now().toString(36);
  let clearedAt = 0;
  let baseUrl = '';

  /** @type {Set<ServerResponse>} */
  const inspectorStreams = new Set();
  const broadcast = (/** @type {string} */ type, /** @type {unknown} */ data) => {
    for (const stream of inspectorStreams) stream.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const unsubscribe = collector.subscribe(({ events }) => broadcast('received', events));

  /** @param {{ query: string, brand?: string, category?: string }} state @param {number} page */
  function search(state, page) {
    const result = searchCatalog(catalog, { ...state, page });
    const queryID = newQueryID();
    /** @type {IssuedSearch} */
    const issued = { queryID, ...state, page, nbHits: result.nbHits, at: Date.now() };
    searches.set(queryID, issued);
    if (searches.size > MAX_REMEMBERED_SEARCHES) searches.delete(searches.keys().next().value);
    broadcast('search', issued);
    return { result, queryID };
  }

  /** @param {IncomingMessage} req */
  function cartOf(req) {
    return carts.get(cookie(req, CART_COOKIE) ?? '') ?? new Map();
  }

  /** @param {Map<string, number>} cart */
  const cartLines = (cart) =>
    [...cart].flatMap(([objectID, quantity]) => {
      const product = productsById.get(objectID);
      return product ? [{ product, quantity }] : [];
    });
  const cartCount = (/** @type {Map<string, number>} */ cart) => [...cart.values()].reduce((sum, n) => sum + n, 0);

  /** @param {IncomingMessage} req @param {ServerResponse} res */
  function cartForWriting(req, res) {
    const existing = cookie(req, CART_COOKIE);
    if (existing && carts.has(existing)) return /** @type {Map<string, number>} */ (carts.get(existing));
    const id = randomBytes(12).toString('hex');
    const cart = new Map();
    carts.set(id, cart);
    res.setHeader('Set-Cookie', `${CART_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return cart;
  }

  /** @param {IncomingMessage} req @param {ServerResponse} res */
  function openInspectorStream(req, res) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(
      `event: snapshot\ndata: ${JSON.stringify({
        validatorName: VALIDATOR_NAME,
        since: clearedAt,
        searches: [...searches.values()],
        received: collector.received,
      })}\n\n`,
    );
    inspectorStreams.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      inspectorStreams.delete(res);
    });
  }

  /** @param {ServerResponse} res @param {URL} file */
  async function sendFile(res, file) {
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file.pathname)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found. Is the project built (`npm run build`)?\n');
    }
  }

  /** @param {IncomingMessage} req @param {ServerResponse} res */
  async function route(req, res) {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const origin = originOf(req, baseUrl);
    const path = url.pathname;
    const page = (/** @type {unknown} */ markup, status = 200) => res.writeHead(status, PAGE_HEADERS).end(String(markup));
    const redirect = (/** @type {string} */ location) => res.writeHead(303, { Location: location }).end();
    const get = req.method === 'GET' || req.method === 'HEAD';
    const post = req.method === 'POST';

    if (collector.handle(req, res)) return;
    if (get && (path === '/' || path === '/search')) {
      const { state, page: pageNumber } = searchStateOf(url.searchParams);
      return page(searchPage({ origin, cartCount: cartCount(cartOf(req)), state, ...search(state, pageNumber) }));
    }
    if (get && path === '/search/fragment') {
      const { state, page: pageNumber } = searchStateOf(url.searchParams);
      return page(resultsPart({ state, ...search(state, pageNumber) }));
    }
    const productMatch = /^\/product\/([^/]+)$/.exec(path);
    if (get && productMatch) {
      const product = productsById.get(decodeURIComponent(productMatch[1] ?? ''));
      if (!product) return page(notFoundPage({ origin, cartCount: cartCount(cartOf(req)) }), 404);
      return page(productPage({ origin, cartCount: cartCount(cartOf(req)), product, related: relatedProducts(catalog, product) }));
    }
    if (get && path === '/cart') return page(cartPage({ origin, lines: cartLines(cartOf(req)) }));
    if (post && path === '/cart') {
      const form = await readForm(req);
      const product = productsById.get(form.get('objectID') ?? '');
      const quantity = Math.min(5, Math.max(1, Number.parseInt(form.get('quantity') ?? '1', 10) || 1));
      if (!product) return res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Unknown product\n');
      const cart = cartForWriting(req, res);
      cart.set(product.objectID, (cart.get(product.objectID) ?? 0) + quantity);
      if ((req.headers.accept ?? '').includes('application/json')) {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        return res.end(JSON.stringify({ cartCount: cartCount(cart), added: { objectID: product.objectID, name: product.name, quantity } }));
      }
      return redirect('/cart');
    }
    if (post && path === '/cart/remove') {
      const form = await readForm(req);
      cartOf(req).delete(form.get('objectID') ?? '');
      return redirect('/cart');
    }
    if (get && path === '/checkout') return page(checkoutPage({ origin, lines: cartLines(cartOf(req)) }));
    if (post && path === '/checkout') {
      const cart = cartOf(req);
      if (cart.size === 0) return redirect('/cart');
      const orderNumber = 1001 + orders.size;
      orders.set(orderNumber, { lines: cartLines(cart) });
      cart.clear();
      return redirect(`/order/${orderNumber}`);
    }
    const orderMatch = /^\/order\/(\d+)$/.exec(path);
    const order = orderMatch && orders.get(Number(orderMatch[1]));
    if (get && order)
      return page(orderPage({ origin, orderNumber: Number(orderMatch[1]), orderId: `${runId}-${orderMatch[1]}`, lines: order.lines }));
    if (get && path === '/legacy') {
      const picks = STAFF_PICKS.flatMap((id) => productsById.get(id) ?? []);
      return page(legacyPage({ origin, cartCount: cartCount(cartOf(req)), picks }));
    }
    if (get && path === '/inspector') return page(inspectorPage({ validatorName: VALIDATOR_NAME }));
    if (get && path === '/inspector/stream') return openInspectorStream(req, res);
    if (post && path === '/inspector/clear') {
      collector.reset();
      clearedAt = Date.now();
      broadcast('reset', { since: clearedAt });
      return res.writeHead(204).end();
    }
    const staticName = path.startsWith('/static/') ? path.slice('/static/'.length) : '';
    if (get && staticFiles.has(staticName)) return sendFile(res, new URL(staticName, PUBLIC_DIR));
    if (get && path === '/dist/querytrail.min.js') return sendFile(res, QUERYTRAIL_IIFE);
    if (get && path === '/dist/querytrail-audit.js') return sendFile(res, QUERYTRAIL_AUDIT);
    if (get && path === '/favicon.ico') return res.writeHead(204).end();
    return page(notFoundPage({ origin, cartCount: cartCount(cartOf(req)) }), 404);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the demo server has no TCP address');
  baseUrl = `http://${host}:${address.port}`;

  return {
    url: baseUrl,
    collector,
    validatorName: VALIDATOR_NAME,
    /** @returns {Promise<void>} */
    close() {
      unsubscribe();
      for (const stream of inspectorStreams) stream.end();
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const demo = await startDemo({ port: Number(process.env.PORT || 8080) });
  console.log(`QueryTrail demo
  store:      ${demo.url}/
  inspector:  ${demo.url}/inspector
  collector:  POST ${demo.url}/1/events (app ID ${DEMO_APP_ID}, API key ${DEMO_API_KEY})
  validator:  ${demo.validatorName}`);
}
