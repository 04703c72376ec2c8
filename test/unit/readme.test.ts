import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { integrityOf, README_INTEGRITY, SCRIPT } from '../../scripts/sri.mjs';

// The README's CDN snippet tells the browser which file to accept: a hash that is not the built
// file's would make every page that copied the snippet refuse the script.

describe('the README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('gives the CDN snippet the integrity hash of the script the build wrote, with crossorigin', () => {
    expect(existsSync(SCRIPT), `${SCRIPT} is missing: run \`npm run build\` first`).toBe(true);
    const snippets = readme.match(README_INTEGRITY) ?? [];
    expect(snippets.length).toBeGreaterThan(0);
    for (const snippet of snippets) {
      expect(snippet, 'run `npm run sri:readme` after a build').toBe(`integrity="${integrityOf(readFileSync(SCRIPT))}"`);
    }
    expect(readme).toMatch(
      /src="https:\/\/cdn\.jsdelivr\.net\/npm\/querytrail@[\d.]+\/dist\/querytrail\.min\.js"\s+integrity="sha384-[^"]+" crossorigin="anonymous"/,
    );
  });

  it('pins the CDN snippet to the version in package.json', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(readme).toContain(`https://cdn.jsdelivr.net/npm/querytrail@${version}/dist/querytrail.min.js`);
  });
});
