// Prints the shipped script's minified and gzipped sizes against its budget, and with `--check`
// fails (exit 1) when it is larger than the limit CI holds it to. Gzipped as `gzip -9c` does it.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const FILE = 'dist/querytrail.min.js';
/** The budget of issues 2 and 7: 10 KB gzipped (the aim is 8 KB). */
const BUDGET = 10 * 1024;
/**
 * What CI enforces until the budget is met: the size reached so far, so that the script does
 * not grow unnoticed. Lower it with every cut; it becomes BUDGET once the script fits. Raised
 * only for fixes of events lost or sent wrong, with the bytes named in the commit.
 */
const LIMIT = 11_770;

const minified = statSync(FILE).size;
const gzipped = execFileSync('gzip', ['-9c', FILE], { maxBuffer: 1 << 24 }).length;
const overBudget = gzipped - BUDGET;
console.log(
  `${FILE}: ${minified} bytes minified, ${gzipped} bytes gzipped; budget ${BUDGET}: ` +
    (overBudget > 0 ? `${overBudget} bytes over` : `${-overBudget} bytes to spare`) +
    `; CI limit ${LIMIT}`,
);
if (process.argv.includes('--check') && gzipped > LIMIT) {
  console.error(`${FILE} is ${gzipped} bytes gzipped: over the ${LIMIT}-byte limit. Make it smaller, do not raise the limit.`);
  process.exit(1);
}
