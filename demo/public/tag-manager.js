// Stands in for a tag manager's Custom HTML tag on a page whose templates nobody touches:
// it configures QueryTrail through the global, injects it late, and forwards its events.
window.querytrailConfig = {
  appId: 'DEMO',
  apiKey: 'demo-search-key',
  endpoint: location.origin,
  useCookie: true,
  debug: true,
};

window.dataLayer = window.dataLayer || [];
document.addEventListener('querytrail:event', (event) => {
  // Reset first, as the README's recipe does: GTM merges nested objects into its data model, so an
  // event without queryID would otherwise still show the previous event's.
  window.dataLayer.push({ querytrailEvent: null });
  window.dataLayer.push({ event: 'querytrail', querytrailEvent: event.detail });
});

// Tag managers often fire after `load`; QueryTrail handles the markup already on the page.
window.addEventListener('load', () => {
  const script = document.createElement('script');
  script.src = '/dist/querytrail.min.js';
  script.async = true;
  document.head.append(script);
});
