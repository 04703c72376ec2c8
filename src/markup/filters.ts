import { decodeOnce } from '../lib/uri';

/** Algolia wants attribute and value each URL-encoded once: markup may hold either form. */
const encodeOnce = (text: string) => encodeURIComponent(decodeOnce(text));

/** `brand:Apple Inc, discount:10%` → `["brand:Apple%20Inc", "discount:10%25"]`. */
export function parseFilters(markup: string): string[] {
  return markup
    .split(',')
    .map((filter) => filter.trim())
    .filter(Boolean)
    .map((filter) => {
      const colon = filter.indexOf(':');
      if (colon < 1) return filter;
      return `${encodeOnce(filter.slice(0, colon).trim())}:${encodeOnce(filter.slice(colon + 1).trim())}`;
    });
}
