import { elementsOf } from '../markup/attributes';

const LISTENER = { capture: true, passive: true } as const;
const TYPES = ['click', 'auxclick', 'submit'] as const;
const MIDDLE_BUTTON = 1;

export interface InteractionHandlers {
  click(path: Element[], timestamp: number): void;
  submit(path: Element[], timestamp: number): void;
}

/**
 * Delegated from `document` in the capture phase: results rendered later and open shadow
 * roots need no setup (`composedPath()` reaches into them), and a `submit` arrives before
 * the page's own handler, so a form whose handler calls preventDefault still counts.
 * Middle clicks only arrive as `auxclick`.
 */
export function listenForInteractions(handlers: InteractionHandlers): () => void {
  const listener = (event: Event) => {
    if (event.type === 'auxclick' && (event as MouseEvent).button !== MIDDLE_BUTTON) return;
    handlers[event.type === 'submit' ? 'submit' : 'click'](elementsOf(event.composedPath()), Date.now());
  };
  for (const type of TYPES) document.addEventListener(type, listener, LISTENER);
  return () => {
    for (const type of TYPES) document.removeEventListener(type, listener, LISTENER);
  };
}
