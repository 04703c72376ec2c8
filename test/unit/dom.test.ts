import { beforeEach, describe, expect, it } from 'vitest';
import { followDom } from '../../src/capture/dom';

const $ = (selector: string) => document.querySelector(selector) as Element;

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('following the DOM', () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
  /** Follows the DOM, listing the objectIDs found and lost. */
  const followObjectIDs = () => {
    const found: string[] = [];
    const lost: string[] = [];
    const idOf = (object: Element) => object.getAttribute('data-insights-object-id') ?? '';
    const loadTriggers: Element[] = [];
    const { stop } = followDom({
      wantsObjects: () => true,
      found: (object) => found.push(idOf(object)),
      lost: (object) => lost.push(idOf(object)),
      loadTrigger: (trigger) => loadTriggers.push(trigger),
      shadowRoot: () => {},
    });
    return { found, lost, loadTriggers, stop };
  };
  /** Defines a custom element (already in the page) whose open shadow root holds one object. */
  const defineTile = (name: string, objectID: string) =>
    customElements.define(
      name,
      class extends HTMLElement {
        constructor() {
          super();
          this.attachShadow({ mode: 'open' }).innerHTML = `<a data-insights-object-id="${objectID}"></a>`;
        }
      },
    );

  it('finds objects in open shadow roots, also of custom elements defined later, and loses them with their host', async () => {
    document.body.innerHTML = '<div id="list"><product-tile id="early"></product-tile><late-tile id="late"></late-tile></div>';
    ($('#early') as HTMLElement).attachShadow({ mode: 'open' }).innerHTML = '<a data-insights-object-id="in-early"></a>';
    const { found, lost, stop } = followObjectIDs();
    await settle();
    expect(found).toEqual(['in-early']);
    defineTile('late-tile', 'in-late');
    await settle();
    expect(found).toEqual(['in-early', 'in-late']);
    $('#list').remove();
    await settle();
    expect(lost.sort()).toEqual(['in-early', 'in-late']);
    stop();
  });

  it('finds the conversion triggers that convert on load, at start and rendered later, in shadow roots too, and no other trigger', async () => {
    document.body.innerHTML = `
      <div id="at-start" data-insights-conversion="purchase" data-insights-on="load"></div>
      <button data-insights-conversion="purchase">Buy</button>
      <div data-insights-on="load">not a trigger</div>
      <div id="host"></div>`;
    ($('#host') as HTMLElement).attachShadow({ mode: 'open' }).innerHTML =
      '<p id="in-shadow" data-insights-conversion="" data-insights-on="load"></p>';
    const { loadTriggers, stop } = followObjectIDs();
    await settle();
    expect(loadTriggers.map((trigger) => trigger.id)).toEqual(['at-start', 'in-shadow']);
    document.body.insertAdjacentHTML(
      'beforeend',
      '<section><p id="later" data-insights-conversion="addToCart" data-insights-on="load"></p></section>',
    );
    await settle();
    expect(loadTriggers.map((trigger) => trigger.id)).toEqual(['at-start', 'in-shadow', 'later']);
    stop();
  });

  it('loses an object that became one through an attribute change inside a shadow root when its host is removed', async () => {
    document.body.innerHTML = '<div id="host"></div>';
    const shadow = ($('#host') as HTMLElement).attachShadow({ mode: 'open' });
    shadow.innerHTML = '<a id="later-object"></a>';
    const { found, lost, stop } = followObjectIDs();
    await settle();
    (shadow.getElementById('later-object') as Element).setAttribute('data-insights-object-id', 'in-shadow');
    await settle();
    expect(found).toEqual(['in-shadow']);
    $('#host').remove();
    await settle();
    expect(lost).toEqual(['in-shadow']);
    stop();
  });

  it('finds the objects of shadow trees again when their container outside changes its queryID (a new view set)', async () => {
    document.body.innerHTML = '<ol id="list" data-insights-query-id="q1"><li data-insights-object-id="light"></li><li id="tile"></li></ol>';
    ($('#tile') as HTMLElement).attachShadow({ mode: 'open' }).innerHTML = '<a data-insights-object-id="in-shadow"></a>';
    const { found, stop } = followObjectIDs();
    await settle();
    expect(found.sort()).toEqual(['in-shadow', 'light']);
    found.length = 0;
    $('#list').setAttribute('data-insights-query-id', 'q2');
    await settle();
    expect(found.sort()).toEqual(['in-shadow', 'light']);
    stop();
  });

  it('rejects no promise for hyphenated names no custom element may take (MathML annotation-xml, SVG font-face)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    document.body.innerHTML = '<math><annotation-xml></annotation-xml></math><svg><font-face></font-face></svg><later-tile-x></later-tile-x>';
    const { stop } = followObjectIDs();
    await settle();
    process.off('unhandledRejection', onUnhandled);
    stop();
    expect(unhandled).toEqual([]);
  });

  it('follows nothing more once stopped, not even a custom element defined afterwards', async () => {
    document.body.innerHTML = '<after-stop-tile></after-stop-tile>';
    const found: Element[] = [];
    const shadowRoots: ShadowRoot[] = [];
    const { stop } = followDom({
      wantsObjects: () => true,
      found: (object) => found.push(object),
      lost: () => {},
      loadTrigger: () => {},
      shadowRoot: (root) => shadowRoots.push(root),
    });
    await settle();
    stop();
    defineTile('after-stop-tile', 'too-late');
    await settle();
    expect(shadowRoots).toEqual([]);
    expect(found).toEqual([]);
  });
});
