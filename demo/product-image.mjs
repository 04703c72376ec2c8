// Product pictures drawn as inline SVG from the product's category and colour: nothing to download,
// and SVG presentation attributes (fill, stroke) are allowed under a `default-src 'self'` CSP,
// where `style` attributes are not. The background overflows the square box so the picture fills
// frames of any aspect ratio.
import { html } from './html.mjs';

/** @param {string} hex `#rrggbb` @param {number} whiteShare 0..1 */
function tint(hex, whiteShare) {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const mixed = channels.map((c) => Math.round(c + (255 - c) * whiteShare));
  return `#${mixed.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** Each draws a category's silhouette in a 100×100 box from the product colour and a lighter accent. */
const SHAPES = {
  sneaker: (colour, accent) => html`
    <path d="M12 60c0-11 7-17 16-17h14c6 0 10-6 15-9l9 4c6 6 14 12 22 16 5 2 5 10 0 12H15c-2 0-3-2-3-6z" fill="${colour}"/>
    <rect x="12" y="66" width="78" height="7" rx="3.5" fill="${accent}"/>
    <path d="M46 44l4 6M52 41l4 6M58 39l4 6" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/>`,
  backpack: (colour, accent) => html`
    <path d="M40 28c0-9 20-9 20 0" fill="none" stroke="${accent}" stroke-width="4"/>
    <rect x="28" y="26" width="44" height="56" rx="12" fill="${colour}"/>
    <rect x="36" y="54" width="28" height="20" rx="5" fill="${accent}"/>
    <path d="M28 40h44" stroke="${accent}" stroke-width="3"/>`,
  jacket: (colour, accent) => html`
    <path d="M36 20l10-4 4 8 4-8 10 4 18 14-7 17-7-6v39H32V45l-7 6-7-17z" fill="${colour}"/>
    <path d="M50 24v62" stroke="${accent}" stroke-width="3"/>
    <path d="M38 58h8M54 58h8" stroke="${accent}" stroke-width="3" stroke-linecap="round"/>`,
  watch: (colour, accent) => html`
    <rect x="40" y="10" width="20" height="80" rx="6" fill="${accent}"/>
    <circle cx="50" cy="50" r="22" fill="${colour}"/>
    <circle cx="50" cy="50" r="16" fill="#fff"/>
    <path d="M50 50V40M50 50l7 4" stroke="${colour}" stroke-width="3" stroke-linecap="round"/>`,
  headphones: (colour, accent) => html`
    <path d="M24 60c0-34 52-34 52 0" fill="none" stroke="${accent}" stroke-width="7" stroke-linecap="round"/>
    <rect x="16" y="52" width="18" height="28" rx="8" fill="${colour}"/>
    <rect x="66" y="52" width="18" height="28" rx="8" fill="${colour}"/>`,
  lamp: (colour, accent) => html`
    <path d="M34 20h32l12 30H22z" fill="${colour}"/>
    <rect x="47" y="50" width="6" height="28" fill="${accent}"/>
    <rect x="32" y="78" width="36" height="8" rx="4" fill="${accent}"/>`,
  mug: (colour, accent) => html`
    <path d="M66 44c14 0 14 24 0 24" fill="none" stroke="${colour}" stroke-width="7"/>
    <rect x="26" y="32" width="42" height="48" rx="8" fill="${colour}"/>
    <path d="M38 24c-3-4 3-8 0-12M50 24c-3-4 3-8 0-12" fill="none" stroke="${accent}" stroke-width="3" stroke-linecap="round"/>`,
  sunglasses: (colour, accent) => html`
    <path d="M14 44h72" stroke="${accent}" stroke-width="4" stroke-linecap="round"/>
    <rect x="18" y="42" width="28" height="22" rx="10" fill="${colour}"/>
    <rect x="54" y="42" width="28" height="22" rx="10" fill="${colour}"/>
    <path d="M46 48q4-4 8 0" fill="none" stroke="${accent}" stroke-width="3"/>`,
};

/** @param {{ shape: keyof typeof SHAPES, colourHex: string, colour: string, category: string }} product */
export function productImage(product, className = 'product-image') {
  return html`<svg class="${className}" viewBox="0 0 100 100" role="img" aria-label="${product.colour} ${product.category.toLowerCase()}">
    <rect x="-50" y="-50" width="200" height="200" fill="${tint(product.colourHex, 0.85)}"/>
    ${SHAPES[product.shape](product.colourHex, tint(product.colourHex, 0.45))}
  </svg>`;
}
