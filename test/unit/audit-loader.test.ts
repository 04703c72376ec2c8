import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLoader } from '../../src/audit-loader';

/** The audit scripts the loader added to the page. */
const auditScripts = () => [...document.querySelectorAll<HTMLScriptElement>('script')].map((script) => script.getAttribute('src'));

// The test page loads no script file; the tag added is what counts, without a load error for it.
beforeAll(() => {
  (
    window as unknown as { happyDOM: { settings: { handleDisabledFileLoadingAsSuccess: boolean } } }
  ).happyDOM.settings.handleDisabledFileLoadingAsSuccess = true;
});

afterEach(() => {
  document.head.innerHTML = '';
  history.replaceState(null, '', '/');
});

describe('the audit loader', () => {
  it('loads querytrail-audit.js from the directory of QueryTrail’s own file, only when asked', () => {
    const open = auditLoader('https://cdn.example/js/querytrail.min.js?v=3');
    expect(auditScripts()).toEqual([]);
    open();
    expect(auditScripts()).toEqual(['https://cdn.example/js/querytrail-audit.js']);
  });

  it('loads it at start where the page URL has querytrail-debug=audit, from the page’s directory without a file URL', () => {
    history.replaceState(null, '', '/shop/search?q=lamp&querytrail-debug=audit');
    auditLoader(undefined);
    expect(auditScripts()).toEqual([`${location.origin}/shop/querytrail-audit.js`]);
  });

  it('does not load it at start for debug mode alone', () => {
    history.replaceState(null, '', '/search?querytrail-debug');
    auditLoader('https://cdn.example/querytrail.min.js');
    expect(auditScripts()).toEqual([]);
  });
});
