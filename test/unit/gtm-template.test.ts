// @vitest-environment node
// The Google Tag Manager template (gtm/template.tpl): its own ___TESTS___ scenarios, its fields,
// and its permissions, run through the sandbox stand-in of test/support/gtm.ts. The same code
// runs on the demo's pages in test/e2e/gtm.test.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSandboxApis, newScriptCache, parameterNames, readTemplate, runTemplateTests, type SandboxEnvironment } from '../support/gtm';

const template = readTemplate();

describe('the template’s ___TESTS___ scenarios', () => {
  it.each(runTemplateTests(template))('$name', ({ error }) => {
    expect(error).toBeUndefined();
  });

  it('are reported as failing when their assertions fail', () => {
    const [first] = template.tests.scenarios;
    if (!first) throw new Error('the template has no scenario');
    const broken = {
      ...template,
      tests: { ...template.tests, scenarios: [{ name: 'inverted', code: first.code.replace('wasNotCalled', 'wasCalled') }] },
    };
    expect(runTemplateTests(broken)).toEqual([{ name: 'inverted', error: 'gtmOnFailure was not called' }]);
  });
});

describe('the template’s fields', () => {
  it('cover the script URL, the credentials, the region or endpoint, the tokens, the switches, the data layer and every event name', () => {
    expect(parameterNames(template.parameters)).toEqual(
      expect.arrayContaining([
        'scriptUrl',
        'appId',
        'apiKey',
        'region',
        'endpoint',
        'userToken',
        'useCookie',
        'views',
        'debug',
        'dataLayer',
        'clickEventName',
        'conversionEventName',
        'addToCartEventName',
        'purchaseEventName',
        'viewEventName',
        'filterEventName',
      ]),
    );
  });

  it('are all passed on by the code', () => {
    for (const name of parameterNames(template.parameters).filter((name) => !['scriptUrl', 'eventNames'].includes(name))) {
      expect(template.code, name).toContain(name);
    }
  });

  it('is a web tag template', () => {
    expect(template.info).toMatchObject({ type: 'TAG', containerContexts: ['WEB'] });
  });
});

describe('the template’s permissions', () => {
  const environment: SandboxEnvironment = {
    global: {},
    scriptCache: newScriptCache(),
    loadScript: () => {},
    consent: { granted: () => true, listen: () => {} },
  };
  const apis = createSandboxApis(template.permissions, environment) as Record<string, (...args: unknown[]) => unknown>;
  const call =
    (name: string, ...args: unknown[]) =>
    () =>
      (apis[name] as (...values: unknown[]) => unknown)(...args);

  it('let the script be injected only from the URL patterns they list', () => {
    const [allowed] = template.permissions.scriptUrls;
    expect(allowed).toBe('https://cdn.jsdelivr.net/npm/querytrail@0.1.0/dist/querytrail.min.js');
    expect(call('injectScript', allowed)).not.toThrow();
    expect(call('injectScript', 'https://cdn.jsdelivr.net/npm/querytrail@0.1.0/dist/querytrail-audit.js')).toThrow(/inject_script/);
    expect(call('injectScript', 'https://evil.example/querytrail.min.js')).toThrow(/inject_script/);
  });

  it('refuse globals and consent types they do not list, as GTM does', () => {
    expect(call('setInWindow', 'querytrailConfig', {}, true)).not.toThrow();
    expect(call('setInWindow', 'dataLayer', [], true)).toThrow(/access_globals does not allow write of dataLayer/);
    expect(call('callInWindow', 'QueryTrail.instance.setConsent', 'granted')).toThrow(/access_globals/);
    expect(call('isConsentGranted', 'ad_storage')).toThrow(/access_consent/);
    expect(call('addConsentListener', 'ad_storage', () => {})).toThrow(/access_consent/);
  });

  it('ask for nothing the code does not use', () => {
    for (const key of Object.keys(template.permissions.globals)) expect(template.code, key).toContain(`'${key}'`);
    expect(Object.keys(template.permissions.consent)).toEqual(['analytics_storage']);
    expect(template.permissions.consent.analytics_storage).toEqual({ read: true, write: false });
    expect(template.permissions.globals.querytrailConfig).toEqual({ read: false, write: true, execute: false });
  });

  it('let the stub queue calls exactly as the README’s one-line stub does', () => {
    const queued = call('createArgumentsQueue', 'querytrail', 'querytrail.q')() as (...args: unknown[]) => void;
    queued('setConsent', 'granted');
    const stub = environment.global.querytrail as { q: ArrayLike<unknown>[] };
    expect(stub).toBe(queued);
    expect(stub.q.map((args) => Object.prototype.toString.call(args))).toEqual(['[object Arguments]']);
    expect(stub.q.map((args) => Array.from(args))).toEqual([['setConsent', 'granted']]);
    // A querytrail already there, QueryTrail's own or the page's stub, is kept.
    expect(call('createArgumentsQueue', 'querytrail', 'querytrail.q')()).toBe(queued);
  });
});

describe('gtm/metadata.yaml', () => {
  const metadata = readFileSync(fileURLToPath(new URL('../../gtm/metadata.yaml', import.meta.url)), 'utf8');

  it('names the homepage, the documentation and at least one released version by commit', () => {
    expect(metadata).toMatch(/^homepage: "https:\/\/\S+"$/m);
    expect(metadata).toMatch(/^documentation: "https:\/\/\S+"$/m);
    expect(metadata).toMatch(/^versions:\n {2}- sha: [0-9a-f]{40}\n {4}changeNotes: \S/m);
  });
});
