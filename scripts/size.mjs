// Prints the shipped script's minified and gzipped sizes; exits non-zero past the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 10 * 1024;
const file = 'dist/querytrail.min.js';
const code = readFileSync(file);
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`${file}: ${code.length} bytes minified, ${gzipped} bytes gzipped (budget ${BUDGET})`);
if (gzipped > BUDGET) {
  console.error(`${file} is over the ${BUDGET}-byte gzip budget`);
  process.exit(1);
}
