import { beforeEach, describe, expect, it } from 'vitest';
import { describeElement, ancestryOf } from '../../src/markup/ancestry';
import { parseFilters } from '../../src/markup/filters';
import { positionOf, readObject } from '../../src/markup/object';
import { clickTargetOf } from '../../src/markup/target';

const $ = (selector: string) => document.querySelector(selector) as Element;

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('reading objects', () => {
  it('takes index and queryID from the nearest ancestor, the object’s own value first', () => {
    document.body.innerHTML = `
      <section data-insights-index="products" data-insights-query-id="${'a'.repeat(32)}">
        <article id="plain" data-insights-object-id="sku-1"><span id="inner">x</span></article>
        <article id="own" data-insights-object-id="sku-2" data-insights-index="offers" data-insights-query-id="${'b'.repeat(32)}"></article>
      </section>
      <article id="outside" data-insights-object-id="sku-3"></article>`;
    expect(readObject(ancestryOf($('#plain')), undefined)).toMatchObject({ objectID: 'sku-1', index: 'products', queryID: 'a'.repeat(32) });
    expect(readObject(ancestryOf($('#own')), undefined)).toMatchObject({ index: 'offers', queryID: 'b'.repeat(32) });
    expect(readObject(ancestryOf($('#outside')), 'fallback')).toMatchObject({ index: 'fallback', queryID: undefined });
  });

  it('computes positions from page, hits per page and rank in document order', () => {
    document.body.innerHTML = `
      <ol data-insights-index="products" data-insights-page="2" data-insights-hits-per-page="20">
        <li data-insights-object-id="a"></li>
        <li><div><p id="nested" data-insights-object-id="b"></p></div></li>
        <li id="third" data-insights-object-id="c"></li>
        <li id="explicit" data-insights-object-id="d" data-insights-position="7"></li>
      </ol>
      <ol data-insights-index="products">
        <li data-insights-object-id="e"></li>
        <li id="first-page" data-insights-object-id="f"></li>
      </ol>`;
    expect(positionOf(ancestryOf($('#nested')))).toBe(42);
    expect(positionOf(ancestryOf($('#third')))).toBe(43);
    expect(positionOf(ancestryOf($('#explicit')))).toBe(7);
    expect(positionOf(ancestryOf($('#first-page')))).toBe(2);
  });

  it('reads an explicit position from the nearest ancestor that has one, as every other value', () => {
    document.body.innerHTML = `
      <ol data-insights-index="products" data-insights-page="1" data-insights-hits-per-page="10">
        <li data-insights-position="3"><a id="wrapped" data-insights-object-id="a"></a></li>
        <li data-insights-position="4"><a id="own" data-insights-object-id="b" data-insights-position="9"></a></li>
      </ol>`;
    expect(positionOf(ancestryOf($('#wrapped')))).toBe(3);
    expect(positionOf(ancestryOf($('#own')))).toBe(9);
  });

  it('gives NaN, never a plausible number, for broken position markup', () => {
    document.body.innerHTML = `
      <ol data-insights-page="1"><li id="no-hits" data-insights-object-id="a"></li></ol>
      <li id="empty" data-insights-object-id="b" data-insights-position=""></li>
      <li id="word" data-insights-object-id="c" data-insights-position="first"></li>`;
    expect(positionOf(ancestryOf($('#no-hits')))).toBeNaN();
    expect(positionOf(ancestryOf($('#empty')))).toBeNaN();
    expect(positionOf(ancestryOf($('#word')))).toBeNaN();
  });

  it('walks out of an open shadow root to the host’s ancestors', () => {
    document.body.innerHTML = `<div data-insights-index="products" data-insights-query-id="${'c'.repeat(32)}"><product-card></product-card></div>`;
    const shadow = ($('product-card') as HTMLElement).attachShadow({ mode: 'open' });
    shadow.innerHTML = '<a data-insights-object-id="x1">one</a><a data-insights-object-id="x2"><b>two</b></a>';
    const inner = shadow.querySelector('b') as Element;
    const ancestry = ancestryOf(inner);
    const target = clickTargetOf(ancestry);
    expect(target?.kind).toBe('object');
    if (target?.kind !== 'object') return;
    expect(readObject(target.ancestry, undefined)).toMatchObject({ objectID: 'x2', index: 'products', queryID: 'c'.repeat(32) });
    expect(positionOf(target.ancestry)).toBe(2);
  });

  it('ranks objects rendered each in its own shadow root (web-component cards) among the container’s objects', () => {
    document.body.innerHTML = `
      <ol data-insights-index="products" data-insights-page="1" data-insights-hits-per-page="10">
        <result-card id="first"></result-card><li data-insights-object-id="light"></li><result-card id="third"></result-card>
      </ol>`;
    const objectIn = (id: string) => {
      const shadow = ($(`#${id}`) as HTMLElement).attachShadow({ mode: 'open' });
      shadow.innerHTML = `<article data-insights-object-id="${id}"></article>`;
      return shadow.firstElementChild as Element;
    };
    const [first, third] = [objectIn('first'), objectIn('third')];
    expect(positionOf(ancestryOf(first))).toBe(11);
    expect(positionOf(ancestryOf(third))).toBe(13);
  });
});

describe('what a click landed on', () => {
  it('prefers ignore zones, then conversion buttons, then the nearer of filter and object', () => {
    document.body.innerHTML = `
      <div data-insights-object-id="p1">
        <a id="chip" data-insights-filter="brand:Apple">Apple</a>
        <button id="buy" data-insights-conversion="addToCart"><span id="label">Add</span></button>
        <span id="title">Title</span>
        <div data-insights-ignore><a id="quiet">Share</a></div>
      </div>
      <form data-insights-conversion="purchase"><div data-insights-object-id="p2"><span id="in-form">x</span></div></form>`;
    expect(clickTargetOf(ancestryOf($('#chip')))?.kind).toBe('filter');
    expect(clickTargetOf(ancestryOf($('#label')))?.kind).toBe('conversion');
    expect(clickTargetOf(ancestryOf($('#title')))?.kind).toBe('object');
    expect(clickTargetOf(ancestryOf($('#quiet')))).toBeUndefined();
    expect(clickTargetOf(ancestryOf($('#in-form')))?.kind).toBe('object');
    expect(clickTargetOf(ancestryOf(document.body))).toBeUndefined();
  });

  it('gives a click on an object or filter inside a button or link trigger to the trigger', () => {
    document.body.innerHTML = `
      <div data-insights-index="products">
        <button id="bundle" data-insights-conversion="addToCart"><span id="in-button" data-insights-object-id="p1">Add</span></button>
        <a id="link" href="#cart" data-insights-conversion="purchase"><b data-insights-filter="brand:Acme"><i id="in-link">Buy</i></b></a>
        <button id="outer" data-insights-conversion=""><span id="inner" data-insights-conversion="addToCart"><span id="nested">+</span></span></button>
      </div>`;
    expect(clickTargetOf(ancestryOf($('#in-button')))).toEqual({ kind: 'conversion', ancestry: ancestryOf($('#bundle')) });
    expect(clickTargetOf(ancestryOf($('#in-link')))).toEqual({ kind: 'conversion', ancestry: ancestryOf($('#link')) });
    expect(clickTargetOf(ancestryOf($('#nested')))).toEqual({ kind: 'conversion', ancestry: ancestryOf($('#inner')) });
  });

  it('gives the click on any control that submits a form trigger to the form, whatever its type attribute says', () => {
    document.body.innerHTML = `
      <form data-insights-conversion="purchase" data-insights-index="products">
        <button id="empty-type" type="" data-insights-object-id="p1">Buy</button>
        <button id="misspelt" type="sumbit" data-insights-object-id="p2">Buy</button>
        <input id="image" type="image" data-insights-object-id="p3">
        <button id="plain" type="button" data-insights-object-id="p4">Details</button>
      </form>`;
    expect(clickTargetOf(ancestryOf($('#empty-type')))).toBeUndefined();
    expect(clickTargetOf(ancestryOf($('#misspelt')))).toBeUndefined();
    expect(clickTargetOf(ancestryOf($('#image')))).toBeUndefined();
    expect(clickTargetOf(ancestryOf($('#plain')))?.kind).toBe('object');
  });

  it('names elements the way a developer searches for them', () => {
    document.body.innerHTML = '<li id="hit-3" data-insights-object-id="sku-3"></li>';
    expect(describeElement($('#hit-3'))).toBe('<li id="hit-3" data-insights-object-id="sku-3">');
  });
});

describe('filters', () => {
  it('URL-encodes attribute and value each exactly once', () => {
    expect(parseFilters('brand:Apple Inc, discount:10%,  ,color:Bleu%20clair')).toEqual([
      'brand:Apple%20Inc',
      'discount:10%25',
      'color:Bleu%20clair',
    ]);
    expect(parseFilters('category:a:b')).toEqual(['category:a%3Ab']);
  });

  it('leaves a filter without attribute for validation to refuse', () => {
    expect(parseFilters('justavalue')).toEqual(['justavalue']);
  });
});
