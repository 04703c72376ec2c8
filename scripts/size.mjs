// Prints the shipped script's minified and gzipped sizes against the 10 KB gzip budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 10 * 1024;
const file = 'dist/querytrail.min.js';
const code = readFileSync(file);
const gzipped = gzipSync(code, { level: 9 }).length;
const verdict = gzipped > BUDGET ? `OVER the ${BUDGET}-byte budget by ${gzipped - BUDGET} bytes` : `within the ${BUDGET}-byte budget`;
console.log(`${file}: ${code.length} bytes minified, ${gzipped} bytes gzipped, ${verdict}`);
