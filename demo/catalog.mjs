// The demo store's products and its server-side search. Everything is generated from a fixed seed,
// so every run (and every screenshot) shows the same catalogue without a data file or a download.

export const INDEX_NAME = 'demo_products';
export const HITS_PER_PAGE = 12;
const CATALOG_SIZE = 320;
const CATALOG_SEED = 20240611;

const CATEGORIES = [
  { name: 'Sneakers', shape: 'sneaker', nouns: ['Trail Runner', 'Court Sneaker', 'Road Runner', 'Slip-On', 'High-Top'], priceRange: [49, 169] },
  { name: 'Backpacks', shape: 'backpack', nouns: ['Daypack', 'Rolltop Pack', 'Commuter Pack', 'Hiking Pack'], priceRange: [39, 189] },
  { name: 'Jackets', shape: 'jacket', nouns: ['Rain Shell', 'Puffer Jacket', 'Fleece', 'Windbreaker', 'Parka'], priceRange: [59, 329] },
  { name: 'Watches', shape: 'watch', nouns: ['Field Watch', 'Diver Watch', 'Chronograph', 'Smartwatch'], priceRange: [79, 449] },
  { name: 'Headphones', shape: 'headphones', nouns: ['Over-Ear Headphones', 'Studio Headphones', 'Wireless Headset'], priceRange: [29, 349] },
  { name: 'Lamps', shape: 'lamp', nouns: ['Desk Lamp', 'Reading Lamp', 'Floor Lamp', 'Clip Lamp'], priceRange: [24, 199] },
  { name: 'Mugs', shape: 'mug', nouns: ['Travel Mug', 'Espresso Cup', 'Camp Mug', 'Tea Mug'], priceRange: [9, 39] },
  { name: 'Sunglasses', shape: 'sunglasses', nouns: ['Aviators', 'Wayfarers', 'Sport Shades', 'Round Sunglasses'], priceRange: [19, 229] },
];
const BRANDS = ['Aurora', 'Basalt', 'Cobalt', 'Driftwood', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Juniper', 'Kestrel'];
const ADJECTIVES = ['Classic', 'Urban', 'Alpine', 'Nordic', 'Solar', 'Midnight', 'Coastal', 'Everyday', 'Summit', 'Lite', 'Drift', 'Canyon'];
const COLOURS = [
  { name: 'Teal', hex: '#0f8b8d' },
  { name: 'Coral', hex: '#f0685a' },
  { name: 'Navy', hex: '#27408b' },
  { name: 'Olive', hex: '#6b7d2a' },
  { name: 'Mustard', hex: '#d9a400' },
  { name: 'Plum', hex: '#7d3c98' },
  { name: 'Graphite', hex: '#3d4450' },
  { name: 'Sky', hex: '#3b9be0' },
  { name: 'Rust', hex: '#b5502a' },
  { name: 'Forest', hex: '#2e7d4f' },
  { name: 'Rose', hex: '#d6477d' },
  { name: 'Sand', hex: '#b89a6a' },
];

/** mulberry32: a tiny, well-distributed seeded PRNG (returns floats in [0, 1)). */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Prices end in .99 or .49 like a real shop's, kept exact as cents to avoid float noise. */
function priceInRange(random, [min, max]) {
  const euros = min + Math.floor(random() * (max - min));
  const cents = random() < 0.7 ? 99 : 49;
  return (euros * 100 + cents) / 100;
}

export function generateCatalog(size = CATALOG_SIZE, seed = CATALOG_SEED) {
  const random = seededRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  return Array.from({ length: size }, (_, i) => {
    const category = pick(CATEGORIES);
    const colour = pick(COLOURS);
    const brand = pick(BRANDS);
    const name = `${pick(ADJECTIVES)} ${pick(category.nouns)}`;
    return {
      objectID: `sku-${String(1001 + i)}`,
      name,
      brand,
      category: category.name,
      shape: category.shape,
      colour: colour.name,
      colourHex: colour.hex,
      price: priceInRange(random, category.priceRange),
      rating: Math.round((3 + random() * 2) * 10) / 10,
      popularity: Math.floor(random() * 10_000),
    };
  });
}

function tokenize(text) {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * Every query word must prefix-match a word of the product ("run" finds "Runner"), like
 * Algolia's default prefix search on the last word, applied to all words to stay simple.
 * Name matches rank above brand/category/colour matches; popularity breaks ties.
 */
function relevance(product, queryWords) {
  const nameWords = tokenize(product.name);
  const otherWords = tokenize(`${product.brand} ${product.category} ${product.colour}`);
  let score = 0;
  for (const queryWord of queryWords) {
    if (nameWords.some((word) => word.startsWith(queryWord))) score += 2;
    else if (otherWords.some((word) => word.startsWith(queryWord))) score += 1;
    else return 0;
  }
  return score;
}

function facetCounts(products, attribute) {
  const counts = new Map();
  for (const product of products) counts.set(product[attribute], (counts.get(product[attribute]) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/**
 * @param {ReturnType<typeof generateCatalog>} catalog
 * @param {{ query: string, brand?: string, category?: string, page?: number }} request
 */
export function searchCatalog(catalog, { query, brand, category, page = 0 }) {
  const queryWords = tokenize(query);
  const matches = catalog
    .map((product) => ({ product, score: queryWords.length ? relevance(product, queryWords) : 1 }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || b.product.popularity - a.product.popularity)
    .map(({ product }) => product);
  const inBrand = (product) => !brand || product.brand === brand;
  const inCategory = (product) => !category || product.category === category;
  const filtered = matches.filter((product) => inBrand(product) && inCategory(product));
  const nbPages = Math.ceil(filtered.length / HITS_PER_PAGE);
  const start = page * HITS_PER_PAGE;
  return {
    hits: filtered.slice(start, start + HITS_PER_PAGE),
    nbHits: filtered.length,
    nbPages,
    page,
    hitsPerPage: HITS_PER_PAGE,
    // Each facet's counts ignore its own refinement so the other values stay selectable.
    facets: {
      brand: facetCounts(matches.filter(inCategory), 'brand'),
      category: facetCounts(matches.filter(inBrand), 'category'),
    },
  };
}

export function relatedProducts(catalog, product, count = 4) {
  return catalog
    .filter((other) => other.category === product.category && other.objectID !== product.objectID)
    .sort((a, b) => b.popularity - a.popularity)
    .slice(0, count);
}
