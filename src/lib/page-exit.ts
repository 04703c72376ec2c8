/**
 * Calls back when the page may be about to go away: hidden (tab switch, app switch,
 * mobile kill) or `pagehide` (navigation, back/forward cache). Never `unload` or
 * `beforeunload`, which would keep the page out of the back/forward cache.
 */
export function onPageExit(callback: () => void): () => void {
  const onVisibilityChange = () => {
    if (document.visibilityState === 'hidden') callback();
  };
  document.addEventListener('visibilitychange', onVisibilityChange, true);
  window.addEventListener('pagehide', callback, true);
  return () => {
    document.removeEventListener('visibilitychange', onVisibilityChange, true);
    window.removeEventListener('pagehide', callback, true);
  };
}
