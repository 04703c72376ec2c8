/**
 * Calls back when the page may be about to go away: hidden (tab switch, app switch, mobile kill),
 * with `leaving` false, since a hidden page may come back; or left (`pagehide`: a navigation or
 * the back/forward cache; `freeze`: a background page frozen), with `leaving` true. Never
 * `unload` or `beforeunload`, which would keep the page out of the back/forward cache.
 */
export function onPageExit(callback: (leaving: boolean) => void): () => void {
  const onVisibilityChange = () => {
    if (document.visibilityState === 'hidden') callback(false);
  };
  const onLeave = () => callback(true);
  document.addEventListener('visibilitychange', onVisibilityChange, true);
  document.addEventListener('freeze', onLeave, true);
  window.addEventListener('pagehide', onLeave, true);
  return () => {
    document.removeEventListener('visibilitychange', onVisibilityChange, true);
    document.removeEventListener('freeze', onLeave, true);
    window.removeEventListener('pagehide', onLeave, true);
  };
}
