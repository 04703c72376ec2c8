// The local server every benchmark loads its pages from: the collector at /1/events, the scripts
// the pages load, and the pages themselves, all on one origin, as a site that sends its events to
// its own domain would have them.
import { createServer } from 'node:http';
import { createCollector } from '../tools/collector.mjs';

/**
 * Starts the server on a free port of 127.0.0.1.
 * @param {object} options
 * @param {string} options.appId the credentials the collector accepts
 * @param {string} options.apiKey
 * @param {Record<string, Buffer | string>} options.scripts what to serve, as JavaScript, at each path
 * @param {(url: URL, origin: string) => string | undefined} options.page the HTML for any other URL,
 *   or undefined where there is none (answered 404)
 * @param {boolean} [options.isolated] pages and scripts served cross-origin isolated (COOP and
 *   COEP), so that a page's `performance.now()` counts in steps of 5 µs instead of 100 µs
 */
export async function startServer({ appId, apiKey, scripts, page, isolated = false }) {
  const isolation = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const collector = createCollector({ appId, apiKey });
  let origin = '';
  const http = createServer((req, res) => {
    if (collector.handle(req, res)) return;
    const url = new URL(req.url ?? '/', origin);
    const script = scripts[url.pathname];
    if (script) return void res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', ...isolation }).end(script);
    const html = page(url, origin);
    if (html === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...isolation }).end(html);
  });
  await new Promise((listening) => http.listen(0, '127.0.0.1', listening));
  origin = `http://127.0.0.1:${http.address().port}`;
  // `http` is there for a benchmark that watches the requests themselves (their size, say).
  return { origin, collector, http, close: () => new Promise((closed) => http.close(closed)) };
}
