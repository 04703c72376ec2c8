// Contender (b): the setup of Algolia's guide for Google Tag Manager, written out by hand.
// search-insights is loaded with its documented install snippet (a queueing `aa` stub named by
// `window.AlgoliaAnalyticsObject`), and a delegated click listener stands in for the tag
// manager's click trigger: it reads the same data-insights-* attributes QueryTrail reads.
// Settings come from this script tag's data- attributes, set by bench/run.mjs.
(() => {
  const { appId, apiKey, host, userToken, library } = document.currentScript.dataset;
  window.AlgoliaAnalyticsObject = 'aa';
  window.aa =
    window.aa ||
    function () {
      (window.aa.queue = window.aa.queue || []).push(arguments);
    };
  window.aa('init', { appId, apiKey, host, userToken });
  const script = document.createElement('script');
  script.async = true;
  script.src = library;
  document.head.append(script);

  document.addEventListener('click', (event) => {
    const hit = event.target instanceof Element ? event.target.closest('[data-insights-object-id]') : null;
    if (!hit) return;
    const read = (name) => hit.closest(`[${name}]`)?.getAttribute(name);
    window.aa('clickedObjectIDsAfterSearch', {
      eventName: 'Hit Clicked',
      index: read('data-insights-index'),
      queryID: read('data-insights-query-id'),
      objectIDs: [hit.getAttribute('data-insights-object-id')],
      positions: [Number(read('data-insights-position'))],
    });
  });
})();
