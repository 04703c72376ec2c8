// Prints the Subresource Integrity hash of the shipped script (`sha384-` and the base64 of its
// SHA-384), which the README's CDN snippet carries in `integrity`. With `--update-readme` it also
// writes the hash into that snippet; test/unit/readme.test.ts fails when the README's hash is not
// the built file's, so a change to the script cannot leave a stale one behind.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export const SCRIPT = 'dist/querytrail.min.js';
/** The `integrity` attribute of the README's snippet, whatever hash it holds. */
export const README_INTEGRITY = /integrity="sha384-[A-Za-z0-9+/=]+"/g;

/** The `integrity` value of a file's content. */
export function integrityOf(content) {
  return `sha384-${createHash('sha384').update(content).digest('base64')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const integrity = integrityOf(readFileSync(SCRIPT));
  console.log(`${SCRIPT}: integrity ${integrity}`);
  if (process.argv.includes('--update-readme')) {
    const readme = readFileSync('README.md', 'utf8');
    writeFileSync('README.md', readme.replace(README_INTEGRITY, `integrity="${integrity}"`));
    console.log('README.md: the CDN snippet carries it');
  }
}
