/**
 * A stand-in for Google Tag Manager's sandbox, to test gtm/template.tpl without GTM.
 *
 * `readTemplate()` splits the template into its sections. `runTemplateOnPage()` runs the
 * template's sandboxed code on a real page in Chromium, as GTM runs a tag, and
 * `runTemplateTests()` runs the template's own `___TESTS___` scenarios in Node with GTM's test
 * functions (`mock`, `runCode`, `assertApi`, `assertThat`). In both, the sandbox APIs the template
 * `require`s come from `createSandboxApis()` and obey the template's `___WEB_PERMISSIONS___` as
 * GTM does: a global, a consent type or a script URL the permissions do not list throws.
 *
 * Only the APIs the template uses are implemented: a `require` of any other throws, so a template
 * that grows a new API needs it added here, with its permission check.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { createContext, runInContext } from 'node:vm';
import type { Page } from 'playwright-core';

const TEMPLATE_FILE = fileURLToPath(new URL('../../gtm/template.tpl', import.meta.url));

export interface TemplateSections {
  info: Record<string, unknown>;
  parameters: TemplateParameter[];
  code: string;
  permissions: TemplatePermissions;
  tests: { scenarios: Array<{ name: string; code: string }>; setup: string };
  notes: string;
}

export interface TemplateParameter {
  type: string;
  name: string;
  subParams?: TemplateParameter[];
  defaultValue?: unknown;
}

/** What `___WEB_PERMISSIONS___` allows, in the shape the sandbox checks it. */
export interface TemplatePermissions {
  /** inject_script's allowed URL patterns */
  scriptUrls: string[];
  /** access_globals: key → what it may do */
  globals: Record<string, { read: boolean; write: boolean; execute: boolean }>;
  /** access_consent: consent type → what it may do */
  consent: Record<string, { read: boolean; write: boolean }>;
}

/** The values a tag's fields hold, as GTM gives them to the code in `data`. */
export type TemplateData = Record<string, unknown>;

export function readTemplate(): TemplateSections {
  const text = readFileSync(TEMPLATE_FILE, 'utf8');
  const sections = new Map<string, string>();
  // Each section starts with its name alone on a line, such as ___INFO___.
  const parts = text.split(/^___([A-Z_]+)___$/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i] as string, (parts[i + 1] ?? '').trim());
  const section = (name: string) => {
    const body = sections.get(name);
    if (body === undefined) throw new Error(`gtm/template.tpl has no ___${name}___ section`);
    return body;
  };
  return {
    info: JSON.parse(section('INFO')),
    parameters: JSON.parse(section('TEMPLATE_PARAMETERS')),
    code: section('SANDBOXED_JS_FOR_WEB_TEMPLATE'),
    permissions: parsePermissions(JSON.parse(section('WEB_PERMISSIONS'))),
    tests: parseTests(section('TESTS')),
    notes: section('NOTES'),
  };
}

/** Every parameter's name, those inside groups included. */
export function parameterNames(parameters: TemplateParameter[]): string[] {
  return parameters.flatMap(({ name, subParams }) => [name, ...parameterNames(subParams ?? [])]);
}

// GTM stores permission settings as typed values: 1 a string, 2 a list, 3 a map, 8 a boolean.
interface TypedValue {
  type: number;
  string?: string;
  boolean?: boolean;
  listItem?: TypedValue[];
  mapKey?: TypedValue[];
  mapValue?: TypedValue[];
}
interface PermissionEntry {
  instance: { key: { publicId: string }; param?: Array<{ key: string; value: TypedValue }> };
}

function plain(value: TypedValue): unknown {
  if (value.type === 1) return value.string;
  if (value.type === 8) return value.boolean;
  if (value.type === 2) return (value.listItem ?? []).map(plain);
  if (value.type === 3) return Object.fromEntries((value.mapKey ?? []).map((key, i) => [plain(key), plain((value.mapValue ?? [])[i] as TypedValue)]));
  throw new Error(`a permission value of type ${value.type}, which the harness does not read`);
}

function parsePermissions(entries: PermissionEntry[]): TemplatePermissions {
  const permissions: TemplatePermissions = { scriptUrls: [], globals: {}, consent: {} };
  for (const { instance } of entries) {
    const params = Object.fromEntries((instance.param ?? []).map(({ key, value }) => [key, plain(value)]));
    const id = instance.key.publicId;
    if (id === 'inject_script') permissions.scriptUrls = params.urls as string[];
    else if (id === 'access_globals') {
      for (const { key, ...access } of params.keys as Array<{ key: string; read: boolean; write: boolean; execute: boolean }>)
        permissions.globals[key] = access;
    } else if (id === 'access_consent') {
      for (const { consentType, ...access } of params.consentTypes as Array<{ consentType: string; read: boolean; write: boolean }>) {
        permissions.consent[consentType] = access;
      }
    } else throw new Error(`the template asks for the ${id} permission, which the harness does not check`);
  }
  return permissions;
}

/**
 * `___TESTS___` is YAML as GTM writes it: `scenarios:` with `- name:` and a `code: |-` block each,
 * then an optional `setup: |-` block. This reads that form only.
 */
function parseTests(yaml: string): TemplateSections['tests'] {
  const scenarios: Array<{ name: string; code: string }> = [];
  let setup = '';
  let block: string[] | undefined;
  let finishBlock = (_text: string) => {};
  const close = () => {
    if (block) finishBlock(dedent(block));
    block = undefined;
  };
  for (const line of yaml.split('\n')) {
    const name = /^- name: (.*)$/.exec(line);
    if (line.startsWith('scenarios:')) continue;
    if (name) {
      close();
      scenarios.push({ name: (name[1] as string).replace(/^(['"])(.*)\1$/, '$2'), code: '' });
    } else if (/^ {2}code: \|-?$/.test(line)) {
      close();
      const scenario = scenarios.at(-1);
      if (!scenario) throw new Error('a code block outside any scenario in ___TESTS___');
      block = [];
      finishBlock = (text) => {
        scenario.code = text;
      };
    } else if (/^setup: \|-?$/.test(line)) {
      close();
      block = [];
      finishBlock = (text) => {
        setup = text;
      };
    } else if (block && (line.startsWith(' ') || line === '')) block.push(line);
    else if (line.trim() !== '') throw new Error(`a line of ___TESTS___ the harness does not read: ${line}`);
  }
  close();
  return { scenarios, setup };
}

function dedent(lines: string[]): string {
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => (/^ */.exec(line) as RegExpExecArray)[0].length));
  return lines
    .map((line) => line.slice(indent))
    .join('\n')
    .trim();
}

export interface ScriptCache {
  injected: Map<string, Array<{ onSuccess?: () => void; onFailure?: () => void }>>;
  /** whether the script of a cache token loaded, once known */
  settled: Map<string, boolean>;
}

export const newScriptCache = (): ScriptCache => ({ injected: new Map(), settled: new Map() });

/** What the sandbox needs from where it runs: a page in Chromium, or Node for the scenarios. */
export interface SandboxEnvironment {
  global: Record<string, unknown>;
  /** Scripts injected by cache token, kept from one firing of a tag to the next, as GTM keeps them for the page. */
  scriptCache: ScriptCache;
  loadScript(url: string, onLoad: () => void, onError: () => void): void;
  consent: {
    granted(consentType: string): boolean;
    listen(consentType: string, listener: (consentType: string, granted: boolean) => void): void;
  };
}

/**
 * The sandbox APIs the template uses, checked against its permissions. Self-contained (it is also
 * sent to the page as source text), so it refers to nothing outside itself.
 */
export function createSandboxApis(permissions: TemplatePermissions, environment: SandboxEnvironment): Record<string, (...args: never[]) => unknown> {
  const refuse = (permission: string, what: string) => {
    throw new Error(`Permission denied: ${permission} does not allow ${what}`);
  };
  const allowGlobal = (key: string, access: 'read' | 'write' | 'execute') => {
    if (!permissions.globals[key]?.[access]) refuse('access_globals', `${access} of ${key}`);
  };
  const allowConsent = (consentType: string) => {
    if (!permissions.consent[consentType]?.read) refuse('access_consent', `reading ${consentType}`);
  };
  // Chrome's match patterns as GTM's permission editor shows them: the scheme, the host (`*.`
  // for any subdomain) and the port must match; `*` in the path matches any characters.
  const matchesPattern = (url: string, pattern: string) => {
    const target = new URL(url);
    const parts = /^([a-z]+):\/\/([^/]+)(\/.*)$/.exec(pattern);
    if (!parts) return false;
    const [, scheme, authority, path] = parts as unknown as [string, string, string, string];
    const [host, port = ''] = authority.split(':') as [string, string?];
    const hostMatches = host.startsWith('*.')
      ? target.hostname === host.slice(2) || target.hostname.endsWith(host.slice(1))
      : target.hostname === host;
    const pathPattern = new RegExp(
      `^${path
        .split('*')
        .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return `${scheme}:` === target.protocol && hostMatches && port === target.port && pathPattern.test(target.pathname);
  };
  const parentOf = (key: string, create: boolean) => {
    const names = key.split('.');
    let parent = environment.global as Record<string, unknown> | undefined;
    for (const name of names.slice(0, -1)) {
      if (parent && parent[name] == null && create) parent[name] = {};
      parent = parent?.[name] as Record<string, unknown> | undefined;
    }
    return { parent, name: names.at(-1) as string };
  };
  const read = (key: string) => {
    const { parent, name } = parentOf(key, false);
    return parent?.[name];
  };
  const write = (key: string, value: unknown) => {
    const { parent, name } = parentOf(key, true);
    if (parent) parent[name] = value;
  };
  const { injected, settled } = environment.scriptCache;

  return {
    setInWindow(key: string, value: unknown, overrideExisting = false) {
      allowGlobal(key, 'write');
      if (read(key) !== undefined && !overrideExisting) return false;
      write(key, value);
      return true;
    },
    callInWindow(key: string, ...args: unknown[]) {
      allowGlobal(key, 'execute');
      const { parent, name } = parentOf(key, false);
      const target = parent?.[name];
      return typeof target === 'function' ? target.apply(parent, args) : undefined;
    },
    // Google's guide gives createArgumentsQueue('ga', 'ga.q') as the sandboxed form of
    // `window.ga = window.ga || function () { (ga.q = ga.q || []).push(arguments) }`.
    createArgumentsQueue(fnKey: string, arrayKey: string) {
      for (const key of [fnKey, arrayKey]) {
        allowGlobal(key, 'read');
        allowGlobal(key, 'write');
      }
      if (typeof read(fnKey) !== 'function') {
        // Pushes the arguments object itself, as the README's one-line stub does.
        write(fnKey, function queue() {
          if (!Array.isArray(read(arrayKey))) write(arrayKey, []);
          // biome-ignore lint/complexity/noArguments: the queue holds arguments objects, as every stub of this kind does
          (read(arrayKey) as unknown[]).push(arguments);
        });
      }
      if (!Array.isArray(read(arrayKey))) write(arrayKey, []);
      return read(fnKey);
    },
    // One script per cache token; every caller hears how it went.
    injectScript(url: string, onSuccess?: () => void, onFailure?: () => void, cacheToken?: string) {
      if (!permissions.scriptUrls.some((pattern) => matchesPattern(url, pattern))) refuse('inject_script', url);
      const token = cacheToken ?? `${url} ${injected.size}`;
      const done = settled.get(token);
      if (done !== undefined) return void (done ? onSuccess : onFailure)?.();
      const waiting = injected.get(token);
      if (waiting) return void waiting.push({ onSuccess, onFailure });
      injected.set(token, [{ onSuccess, onFailure }]);
      const finish = (loaded: boolean) => {
        settled.set(token, loaded);
        for (const caller of injected.get(token) ?? []) (loaded ? caller.onSuccess : caller.onFailure)?.();
      };
      environment.loadScript(
        url,
        () => finish(true),
        () => finish(false),
      );
    },
    isConsentGranted(consentType: string) {
      allowConsent(consentType);
      return environment.consent.granted(consentType);
    },
    addConsentListener(consentType: string, listener: (consentType: string, granted: boolean) => void) {
      allowConsent(consentType);
      environment.consent.listen(consentType, listener);
    },
    makeString(value: unknown) {
      return String(value);
    },
  };
}

/** What a template run on a page reports, read with `templateOutcome()`. */
export interface TemplateOutcome {
  /** `success` or `failure` once GTM's callbacks were called; `threw` when the code threw */
  status: 'pending' | 'success' | 'failure' | 'threw';
  error?: string;
  scriptsInjected: string[];
}

declare global {
  interface Window {
    gtmHarness?: TemplateOutcome & { updateConsent(consentType: string, granted: boolean): void };
    gtmScriptCache?: ScriptCache;
  }
}

export interface PageRunOptions {
  data: TemplateData;
  /** The inject_script patterns a user set in the permission; the template's own by default. */
  scriptUrls?: string[];
  /** Consent states set before the tag fires (Consent Mode's defaults); a type not set counts as granted. */
  consent?: Record<string, boolean>;
}

/**
 * Runs the template's sandboxed code on `page` as a GTM tag, with `window.gtmHarness` to follow it
 * and to change Consent Mode's state afterwards (`updateConsent`). The code is sent as source text
 * through the DevTools protocol, which the page's Content-Security-Policy does not govern, as GTM's
 * own script runs under a policy that allows it.
 */
export async function runTemplateOnPage(page: Page, { data, scriptUrls, consent = {} }: PageRunOptions): Promise<void> {
  const template = readTemplate();
  const permissions: TemplatePermissions = { ...template.permissions, scriptUrls: scriptUrls ?? template.permissions.scriptUrls };
  await page.evaluate(`(${installOnPage.toString()})(
    ${createSandboxApis.toString()},
    ${JSON.stringify(permissions)},
    ${JSON.stringify(data)},
    ${JSON.stringify(consent)},
    function (require, data) {\n${template.code}\n}
  )`);
}

/** Runs in the page: GTM's part of firing a tag. */
function installOnPage(
  sandboxApis: typeof createSandboxApis,
  permissions: TemplatePermissions,
  values: TemplateData,
  consentStates: Record<string, boolean>,
  templateCode: (require: (name: string) => unknown, data: TemplateData) => void,
): void {
  const listeners: Array<{ consentType: string; listener: (consentType: string, granted: boolean) => void }> = [];
  const granted = (consentType: string) => consentStates[consentType] !== false;
  const harness: NonNullable<Window['gtmHarness']> = {
    status: 'pending',
    scriptsInjected: [],
    // Listeners hear changes only, as GTM's: a type without a state already counts as granted.
    updateConsent(consentType, nowGranted) {
      const before = granted(consentType);
      consentStates[consentType] = nowGranted;
      if (before === nowGranted) return;
      for (const entry of listeners) if (entry.consentType === consentType) entry.listener(consentType, nowGranted);
    },
  };
  window.gtmHarness = harness;
  window.gtmScriptCache ??= { injected: new Map(), settled: new Map() };
  const apis = sandboxApis(permissions, {
    global: window as unknown as Record<string, unknown>,
    scriptCache: window.gtmScriptCache,
    loadScript(url, onLoad, onError) {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.addEventListener('load', onLoad);
      script.addEventListener('error', onError);
      harness.scriptsInjected.push(url);
      document.head.append(script);
    },
    consent: { granted, listen: (consentType, listener) => void listeners.push({ consentType, listener }) },
  });
  const require = (name: string) => {
    const api = apis[name];
    if (!api) throw new Error(`require('${name}'): not an API the harness implements`);
    return api;
  };
  const data = {
    ...values,
    gtmOnSuccess: () => {
      harness.status = 'success';
    },
    gtmOnFailure: () => {
      harness.status = 'failure';
    },
  };
  try {
    templateCode(require, data);
  } catch (error) {
    harness.status = 'threw';
    harness.error = String(error);
  }
}

export async function templateOutcome(page: Page): Promise<TemplateOutcome> {
  const outcome = await page.evaluate(() => window.gtmHarness && { ...window.gtmHarness, updateConsent: undefined });
  if (!outcome) throw new Error('the template was not run on this page');
  return outcome;
}

export async function updateConsent(page: Page, consentType: string, granted: boolean): Promise<void> {
  await page.evaluate(([type, value]) => window.gtmHarness?.updateConsent(type, value), [consentType, granted] as const);
}

/** A scenario of `___TESTS___` and how it went. */
export interface ScenarioResult {
  name: string;
  error?: string;
}

/**
 * Runs the template's `___TESTS___` scenarios as GTM's test runner does: each in a fresh sandbox,
 * after the `setup` code, with the APIs mocked by `mock()` or else answered by the harness's
 * sandbox (consent granted, scripts never loading), and every call recorded for `assertApi()`.
 */
export function runTemplateTests(template: TemplateSections = readTemplate()): ScenarioResult[] {
  return template.tests.scenarios.map(({ name, code }) => {
    try {
      runScenario(template, `${template.tests.setup}\n${code}`);
      return { name };
    } catch (error) {
      return { name, error: error instanceof Error ? error.message : String(error) };
    }
  });
}

function runScenario(template: TemplateSections, scenarioCode: string): void {
  const mocks = new Map<string, unknown>();
  const calls = new Map<string, unknown[][]>();
  const record = (name: string, args: unknown[]) => calls.set(name, [...(calls.get(name) ?? []), args]);
  const defaults = createSandboxApis(template.permissions, {
    global: {},
    scriptCache: newScriptCache(),
    loadScript: () => {},
    consent: { granted: () => true, listen: () => {} },
  });
  const apiFor = (name: string) => {
    const fallback = defaults[name];
    if (!fallback) throw new Error(`require('${name}'): not an API the harness implements`);
    return (...args: unknown[]) => {
      record(name, args);
      if (!mocks.has(name)) return (fallback as (...values: unknown[]) => unknown)(...args);
      const mocked = mocks.get(name);
      return typeof mocked === 'function' ? mocked(...args) : mocked;
    };
  };
  const fail = (message: string) => {
    throw new Error(message);
  };
  const show = (value: unknown) => JSON.stringify(value) ?? String(value);
  const testApi = {
    mock: (name: string, value: unknown) => void mocks.set(name, value),
    runCode: (data: TemplateData) => {
      const templateCode = runInContext(`(function (require, data) {\n${template.code}\n})`, context) as (
        require: (name: string) => unknown,
        data: TemplateData,
      ) => void;
      templateCode(apiFor, {
        ...data,
        gtmOnSuccess: (...args: unknown[]) => record('gtmOnSuccess', args),
        gtmOnFailure: (...args: unknown[]) => record('gtmOnFailure', args),
      });
    },
    assertApi: (name: string) => ({
      wasCalled: () => calls.has(name) || fail(`${name} was not called`),
      wasNotCalled: () => !calls.has(name) || fail(`${name} was called with ${show(calls.get(name))}`),
      wasCalledWith: (...expected: unknown[]) =>
        (calls.get(name) ?? []).some((args) => isDeepStrictEqual(args, expected)) ||
        fail(`${name} was not called with ${show(expected)}; its calls: ${show(calls.get(name) ?? [])}`),
    }),
    assertThat: (actual: unknown) => ({
      isEqualTo: (expected: unknown) => isDeepStrictEqual(actual, expected) || fail(`expected ${show(expected)}, got ${show(actual)}`),
      isNotEqualTo: (unexpected: unknown) => !isDeepStrictEqual(actual, unexpected) || fail(`expected anything but ${show(unexpected)}`),
      isTrue: () => actual === true || fail(`expected true, got ${show(actual)}`),
      isFalse: () => actual === false || fail(`expected false, got ${show(actual)}`),
      isDefined: () => actual !== undefined || fail('expected a value, got undefined'),
      isUndefined: () => actual === undefined || fail(`expected undefined, got ${show(actual)}`),
    }),
  };
  // The scenario and the template's code share one sandbox, as in GTM, so values compare alike.
  const context = createContext(testApi);
  runInContext(scenarioCode, context);
}
