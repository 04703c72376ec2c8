// The demo store's HTML. The pages carry only data-insights-* attributes and QueryTrail's script tag:
// no event code. Scripts and styles are external same-origin files so the pages run under
// `Content-Security-Policy: default-src 'self'`.
import { html } from './html.mjs';
import { INDEX_NAME } from './catalog.mjs';
import { productImage } from './product-image.mjs';

export const DEMO_APP_ID = 'DEMO';
export const DEMO_API_KEY = 'demo-search-key';
const CURRENCY = 'EUR';

/** @typedef {ReturnType<typeof import('./catalog.mjs').generateCatalog>[number]} Product */
/** @typedef {ReturnType<typeof import('./catalog.mjs').searchCatalog>} SearchResult */
/** @typedef {{ query: string, brand?: string, category?: string }} SearchState */
/** @typedef {{ product: Product, quantity: number }} CartLine */

/** @param {number} amount */
const euros = (amount) => `€${amount.toFixed(2)}`;

/** Sums in cents so 19.99 × 3 is 59.97, not 59.970000000000006. */
export function cartTotal(/** @type {CartLine[]} */ lines) {
  return lines.reduce((cents, { product, quantity }) => cents + Math.round(product.price * 100) * quantity, 0) / 100;
}

/** @param {SearchState & { page?: number }} state @param {string} [path] */
export function searchUrl({ query, brand, category, page }, path = '/search') {
  const params = new URLSearchParams();
  params.set('q', query);
  if (brand) params.set('brand', brand);
  if (category) params.set('category', category);
  if (page) params.set('page', String(page));
  return `${path}?${params}`;
}

/**
 * `data-use-cookie` keeps one anonymous user token across the store's pages (the `_ALGOLIA` cookie),
 * as a multi-page store with storage consent would; without it every page load starts a new token.
 * @param {{ title: string, origin: string, cartCount: number, query?: string, withQueryTrailTag?: boolean,
 *   scripts?: string[], body: unknown }} page
 */
function storePage({ title, origin, cartCount, query = '', withQueryTrailTag = true, scripts = ['store.js'], body }) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · QueryTrail demo store</title>
<link rel="stylesheet" href="/static/store.css">
${
  withQueryTrailTag
    ? html`<script src="/dist/querytrail.min.js" async data-app-id="${DEMO_APP_ID}" data-api-key="${DEMO_API_KEY}" data-endpoint="${origin}" data-use-cookie data-debug></script>`
    : ''
}
${scripts.map((name) => html`<script src="/static/${name}" defer></script>`)}
</head>
<body>
<header class="site-header">
  <a class="logo" href="/"><span class="logo-mark" aria-hidden="true">Q</span>Trailhead<small>QueryTrail demo store</small></a>
  <form class="search-box" action="/search" role="search">
    <input type="search" name="q" value="${query}" placeholder="Search: runner, aurora, teal, lamp…" aria-label="Search products">
    <button type="submit">Search</button>
  </form>
  <nav class="site-nav">
    <a href="/legacy">Staff picks</a>
    <a href="/cart" class="cart-link">Cart <span class="cart-count" data-cart-count>${cartCount}</span></a>
    <a href="/inspector" target="_blank" class="inspector-link">Inspector ↗</a>
  </nav>
</header>
<p class="demo-banner">This store contains no event code: QueryTrail reads its <code>data-insights-*</code> attributes.
Watch every event arrive in the <a href="/inspector" target="_blank">inspector</a>.</p>
${body}
</body>
</html>
`;
}

/**
 * @param {Product} product @param {string} href
 * @param {unknown} [extra] what follows the link in the card; with it, the card carries its price for revenue
 */
function productCard(product, href, extra = '') {
  return html`<li class="card" data-insights-object-id="${product.objectID}"${extra ? html` data-insights-price="${product.price.toFixed(2)}"` : ''}>
  <a href="${href}">
    ${productImage(product)}
    <span class="card-brand">${product.brand}</span>
    <span class="card-name">${product.name}</span>
    <span class="card-meta"><span class="price">${euros(product.price)}</span><span class="rating">★ ${product.rating.toFixed(1)}</span></span>
  </a>${extra}
</li>`;
}

/**
 * A related product with its own add-to-cart. Its link carries no queryID, and the page's
 * `?queryID=` is not its: QueryTrail gives the landing queryID to the page's first object only
 * (the product), so a related product keeps the queryID remembered for it, if any.
 * @param {Product} product
 */
function relatedCard(product) {
  return productCard(
    product,
    `/product/${encodeURIComponent(product.objectID)}`,
    html`<form class="add-to-cart quick-add" method="post" action="/cart" data-insights-conversion="addToCart" data-insights-currency="${CURRENCY}">
    <input type="hidden" name="objectID" value="${product.objectID}"><input type="hidden" name="quantity" value="1">
    <button type="submit" aria-label="Add ${product.name} to cart">Add to cart</button>
  </form>`,
  );
}

/**
 * One page of results: its own container, so a page appended by infinite scroll carries its own
 * queryID and page number and QueryTrail computes positions from them.
 * @param {{ state: SearchState, result: SearchResult, queryID: string }} search
 */
export function resultsPart({ state, result, queryID }) {
  const nextPage = result.page + 1 < result.nbPages ? result.page + 1 : undefined;
  return html`<ol class="results" aria-label="Results page ${result.page + 1}"
    data-insights-query-id="${queryID}" data-insights-page="${result.page}" data-insights-hits-per-page="${result.hitsPerPage}">
  ${result.hits.map((product) => productCard(product, `/product/${encodeURIComponent(product.objectID)}?queryID=${queryID}`))}
</ol>
<nav class="pagination" aria-label="Pagination"${nextPage === undefined ? '' : html` data-next-fragment="${searchUrl({ ...state, page: nextPage }, '/search/fragment')}"`}>
  ${pageLinks(state, result)}
</nav>`;
}

/** @param {SearchState} state @param {SearchResult} result */
function pageLinks(state, { page, nbPages }) {
  if (nbPages <= 1) return '';
  const first = Math.max(0, Math.min(page - 2, nbPages - 5));
  const pages = Array.from({ length: Math.min(5, nbPages) }, (_, i) => first + i);
  const link = (target, label, rel) =>
    target === page
      ? html`<span class="page current" aria-current="page">${label}</span>`
      : html`<a class="page" href="${searchUrl({ ...state, page: target })}"${rel ? html` rel="${rel}"` : ''}>${label}</a>`;
  return html`${page > 0 ? link(page - 1, '‹ Previous', 'prev') : ''}
  ${pages.map((target) => link(target, target + 1))}
  ${page + 1 < nbPages ? link(page + 1, 'Next ›', 'next') : ''}`;
}

/**
 * A facet value applies a filter: it carries `data-insights-filter`, so QueryTrail sends `clickedFilters`.
 * Removing a refinement is no filter click, so the active value's link carries no attribute.
 * Facet values are URL-encoded in the filter, as the Insights API asks.
 * @param {SearchState} state @param {'brand' | 'category'} attribute @param {{ value: string, count: number }[]} values
 */
function facet(state, attribute, values, title) {
  const active = state[attribute];
  return html`<section class="facet">
  <h2>${title}</h2>
  <ul>
    ${values.map(({ value, count }) =>
      value === active
        ? html`<li><a class="facet-value active" href="${searchUrl({ ...state, [attribute]: undefined })}" aria-current="true">${value}<span class="count">${count}</span></a></li>`
        : html`<li><a class="facet-value" href="${searchUrl({ ...state, [attribute]: value })}" data-insights-filter="${attribute}:${encodeURIComponent(value)}">${value}<span class="count">${count}</span></a></li>`,
    )}
  </ul>
</section>`;
}

/**
 * @param {{ origin: string, cartCount: number, state: SearchState, result: SearchResult, queryID: string }} page
 */
export function searchPage({ origin, cartCount, state, result, queryID }) {
  const refinements = /** @type {const} */ (['category', 'brand']).filter((attribute) => state[attribute]);
  const summary = state.query ? html`${result.nbHits} results for “<strong>${state.query}</strong>”` : html`${result.nbHits} products`;
  return storePage({
    title: state.query ? `“${state.query}”` : 'All products',
    origin,
    cartCount,
    query: state.query,
    body: html`<main class="search-layout" data-insights-index="${INDEX_NAME}">
  <aside class="facets">
    ${facet(state, 'category', result.facets.category, 'Category')}
    ${facet(state, 'brand', result.facets.brand, 'Brand')}
  </aside>
  <section class="results-area">
    <div class="results-header">
      <p class="summary">${summary}</p>
      <p class="query-id" title="queryID returned by this search">queryID <code>${queryID}</code></p>
    </div>
    ${
      refinements.length
        ? html`<p class="refinements">${refinements.map((attribute) => html`<a class="chip" href="${searchUrl({ ...state, [attribute]: undefined })}">${attribute}: ${state[attribute]} <span aria-label="remove">×</span></a>`)}</p>`
        : ''
    }
    ${result.nbHits === 0 ? html`<p class="empty">No product matches. Try “runner”, “teal” or a brand like “Aurora”.</p>` : ''}
    ${resultsPart({ state, result, queryID })}
  </section>
</main>`,
  });
}

/**
 * The add-to-cart form fills the object element, so clicks on the product page land on the
 * conversion trigger and never count as a result click.
 * @param {{ origin: string, cartCount: number, product: Product, related: Product[] }} page
 */
export function productPage({ origin, cartCount, product, related }) {
  return storePage({
    title: product.name,
    origin,
    cartCount,
    body: html`<main class="product-page" data-insights-index="${INDEX_NAME}">
  <p class="breadcrumb"><a href="/">All products</a> / <a href="${searchUrl({ query: '', category: product.category })}">${product.category}</a></p>
  <article class="product">
    ${productImage(product, 'product-image large')}
    <div class="product-info">
      <p class="card-brand">${product.brand}</p>
      <h1>${product.name}</h1>
      <p class="rating">★ ${product.rating.toFixed(1)} · ${product.colour}</p>
      <p class="description">The ${product.name.toLowerCase()} by ${product.brand}, in ${product.colour.toLowerCase()}.
        A generated product of the QueryTrail demo catalogue: nothing here is for sale.</p>
      <div class="buy-box" data-insights-object-id="${product.objectID}" data-insights-price="${product.price.toFixed(2)}" data-insights-currency="${CURRENCY}">
        <form class="add-to-cart" method="post" action="/cart" data-insights-conversion="addToCart">
          <p class="price large">${euros(product.price)}</p>
          <input type="hidden" name="objectID" value="${product.objectID}">
          <label>Quantity
            <select name="quantity">${[1, 2, 3, 4, 5].map((n) => html`<option>${n}</option>`)}</select>
          </label>
          <button type="submit" class="primary">Add to cart</button>
        </form>
      </div>
      <p class="cart-notice" role="status" hidden></p>
    </div>
  </article>
  <section class="related" aria-label="Related products" data-insights-event-name="Related Product Clicked">
    <h2>More ${product.category.toLowerCase()}</h2>
    <ol class="results compact">
      ${related.map(relatedCard)}
    </ol>
  </section>
</main>`,
  });
}

/** @param {{ origin: string, lines: CartLine[] }} page */
export function cartPage({ origin, lines }) {
  const count = lines.reduce((sum, line) => sum + line.quantity, 0);
  return storePage({
    title: 'Cart',
    origin,
    cartCount: count,
    body: html`<main class="cart-page">
  <h1>Your cart</h1>
  ${
    lines.length === 0
      ? html`<p class="empty">Your cart is empty. <a href="/">Find something</a>.</p>`
      : html`<table class="lines">
    <thead><tr><th colspan="2">Product</th><th>Quantity</th><th>Price</th><th>Total</th><th><span class="visually-hidden">Remove</span></th></tr></thead>
    <tbody>
    ${lines.map(
      ({ product, quantity }) => html`<tr>
      <td>${productImage(product, 'product-image thumb')}</td>
      <td><a href="/product/${encodeURIComponent(product.objectID)}">${product.name}</a><br><small>${product.brand}</small></td>
      <td>${quantity}</td>
      <td>${euros(product.price)}</td>
      <td>${euros(cartTotal([{ product, quantity }]))}</td>
      <td><form method="post" action="/cart/remove"><input type="hidden" name="objectID" value="${product.objectID}"><button class="link" type="submit">Remove</button></form></td>
    </tr>`,
    )}
    </tbody>
  </table>
  <p class="total">Total <strong>${euros(cartTotal(lines))}</strong></p>
  <p class="actions"><a class="button primary" href="/checkout">Go to checkout</a></p>`
  }
</main>`,
  });
}

/**
 * The lines of an order, each an object with its price and quantity: what the checkout shows and
 * what the confirmation page converts.
 * @param {CartLine[]} lines
 */
function orderLines(lines) {
  return html`<ul class="order-lines">
    ${lines.map(
      ({
        product,
        quantity,
      }) => html`<li class="order-line" data-insights-object-id="${product.objectID}" data-insights-price="${product.price.toFixed(2)}" data-insights-quantity="${quantity}">
      ${productImage(product, 'product-image thumb')}
      <span class="line-name">${product.name}<small>${product.brand} · ${quantity} × ${euros(product.price)}</small></span>
      <span class="line-total">${euros(cartTotal([{ product, quantity }]))}</span>
    </li>`,
    )}
  </ul>`;
}

/**
 * The checkout only places the order: the purchase is sent by the confirmation page, where the
 * order is certain (see `orderPage`).
 * @param {{ origin: string, lines: CartLine[] }} page
 */
export function checkoutPage({ origin, lines }) {
  const count = lines.reduce((sum, line) => sum + line.quantity, 0);
  return storePage({
    title: 'Checkout',
    origin,
    cartCount: count,
    body: html`<main class="checkout-page" data-insights-index="${INDEX_NAME}">
  <h1>Checkout</h1>
  ${
    lines.length === 0
      ? html`<p class="empty">Your cart is empty. <a href="/">Find something</a>.</p>`
      : html`${orderLines(lines)}
  <form class="place-order" method="post" action="/checkout">
    <p class="total">Total <strong>${euros(cartTotal(lines))}</strong></p>
    <p class="fine-print">A demo checkout: no payment is taken.</p>
    <button type="submit" class="primary">Place order</button>
  </form>`
  }
</main>`,
  });
}

/**
 * The order confirmation page: it converts once it is shown (`data-insights-on="load"`), for the
 * purchased lines, each with its price and quantity. Their queryIDs are not in the markup:
 * QueryTrail remembered them when the products were clicked in the search results. The order ID
 * keeps a reload, or a visit from the browser history, from sending the purchase again.
 * @param {{ origin: string, orderNumber: number, orderId: string, lines: CartLine[] }} page
 */
export function orderPage({ origin, orderNumber, orderId, lines }) {
  return storePage({
    title: `Order ${orderNumber}`,
    origin,
    cartCount: 0,
    body: html`<main class="order-page checkout-page" data-insights-index="${INDEX_NAME}" data-insights-conversion="purchase" data-insights-on="load" data-insights-order-id="${orderId}" data-insights-currency="${CURRENCY}">
  <h1>Thank you!</h1>
  <p>Order <strong>#${orderNumber}</strong> of ${euros(cartTotal(lines))} is placed (nothing is shipped: this is a demo).</p>
  ${orderLines(lines)}
  <p>The purchase event carries each product's queryID, remembered since you clicked it in the results.
    See the complete funnel in the <a href="/inspector" target="_blank">inspector</a>.</p>
  <p class="actions"><a class="button" href="/">Continue shopping</a></p>
</main>`,
  });
}

/**
 * A page whose templates nobody touches: QueryTrail arrives only through the tag manager stand-in,
 * which sets `window.querytrailConfig` and injects the script after `load`.
 * @param {{ origin: string, cartCount: number, picks: Product[] }} page
 */
export function legacyPage({ origin, cartCount, picks }) {
  return storePage({
    title: 'Staff picks',
    origin,
    cartCount,
    withQueryTrailTag: false,
    scripts: ['tag-manager.js'],
    body: html`<main class="legacy-page">
  <h1>Staff picks</h1>
  <p class="lead">This page has no QueryTrail script tag. A tag manager stand-in
    (<a href="/static/tag-manager.js"><code>/static/tag-manager.js</code></a>) sets <code>window.querytrailConfig</code>,
    injects QueryTrail after <code>load</code>, and forwards its events to <code>window.dataLayer</code>.
    These picks come from no search, so clicks are sent as <code>clickedObjectIDs</code>.</p>
  <section data-insights-index="${INDEX_NAME}" data-insights-event-name="Staff Pick Clicked">
    <ol class="results">
      ${picks.map((product) => productCard(product, `/product/${encodeURIComponent(product.objectID)}`))}
    </ol>
  </section>
</main>`,
  });
}

/** @param {{ origin: string, cartCount: number }} page */
export function notFoundPage({ origin, cartCount }) {
  return storePage({
    title: 'Not found',
    origin,
    cartCount,
    body: html`<main class="order-page"><h1>Not found</h1><p><a href="/">Back to the store</a></p></main>`,
  });
}

/** @param {{ validatorName: string }} page */
export function inspectorPage({ validatorName }) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>QueryTrail inspector</title>
<link rel="stylesheet" href="/static/inspector.css">
<script type="module" src="/static/inspector.js"></script>
</head>
<body>
<header class="inspector-header">
  <h1><span class="logo-mark" aria-hidden="true">Q</span>QueryTrail inspector</h1>
  <p class="validator">Validator: <strong data-validator>${validatorName}</strong></p>
  <p class="connection" data-connection="connecting">connecting…</p>
  <p class="counts" data-counts></p>
  <button type="button" data-clear>Clear</button>
</header>
<main class="inspector">
  <section class="funnels" aria-labelledby="funnels-title">
    <h2 id="funnels-title">Funnel per queryID</h2>
    <p class="hint">A search is a queryID this store's search returned. Steps count the events the collector accepted.</p>
    <table>
      <thead><tr><th>Search</th><th>queryID</th><th>Click</th><th>Add to cart</th><th>Purchase</th></tr></thead>
      <tbody data-funnels></tbody>
    </table>
    <p class="empty" data-funnels-empty>No search yet. Open the <a href="/" target="_blank">store</a> and search.</p>
  </section>
  <section class="events" aria-labelledby="events-title">
    <h2 id="events-title">Events, newest first</h2>
    <ol data-events></ol>
    <p class="empty" data-events-empty>No event yet. Click a result in the <a href="/" target="_blank">store</a>.</p>
  </section>
</main>
</body>
</html>
`;
}
