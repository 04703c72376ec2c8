import { beforeAll, afterAll } from 'vitest';
import { builtinEnvironments } from 'vitest/runtime';

/**
 * For test files that run in node (`// @vitest-environment node`) and still need a page: installs
 * vitest's own happy-dom environment around the file's tests. The official validator finds the
 * API's description from `import.meta.url`, which the happy-dom project rewrites to an http: URL;
 * so the files that use it run in node and get their page from here.
 */
export function useHappyDom(url = 'https://shop.example/results'): void {
  let teardown: (() => unknown) | undefined;
  beforeAll(async () => {
    const environment = await builtinEnvironments['happy-dom'].setup(globalThis, { happyDOM: { url } });
    teardown = () => environment.teardown(globalThis);
  });
  afterAll(() => teardown?.());
}
