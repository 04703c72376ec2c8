// Prints the shipped script's minified and gzipped sizes against its limit and aim, and with
// `--check` fails (exit 1) when it is over the limit. Gzipped as `gzip -9c` does it.
// docs/architecture.md, Size budget: every byte added is named with its reason in the commit.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const FILE = 'dist/querytrail.min.js';
/** The IIFE with the whole contract stays within this, gzipped; CI fails above it. */
const LIMIT = 14 * 1024;
/** What the IIFE aims at with every feature of the contract. */
const AIM = 12 * 1024;

const minified = statSync(FILE).size;
const gzipped = execFileSync('gzip', ['-9c', FILE], { maxBuffer: 1 << 24 }).length;
const toAim = AIM - gzipped;
console.log(
  `${FILE}: ${minified} bytes minified, ${gzipped} bytes gzipped; limit ${LIMIT}, aim ${AIM} ` +
    (toAim >= 0 ? `(${toAim} bytes to spare)` : `(${-toAim} bytes over the aim)`),
);
if (process.argv.includes('--check') && gzipped > LIMIT) {
  console.error(`${FILE} is ${gzipped} bytes gzipped: over the ${LIMIT}-byte limit. Make it smaller.`);
  process.exit(1);
}
