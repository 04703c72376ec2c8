import { elementsOf, lineageOf } from '../markup/attributes';

const LISTENER = { capture: true, passive: true } as const;
const CLICKS = ['click', 'auxclick'] as const;
const MIDDLE_BUTTON = 1;

export interface InteractionHandlers {
  click(path: Element[], timestamp: number): void;
  submit(path: Element[], timestamp: number): void;
}

export interface Interactions {
  /** `submit` does not cross shadow boundaries: each open shadow root needs its own listener. */
  watch(root: ShadowRoot): void;
  stop(): void;
}

/**
 * Delegated from `document` in the capture phase: results rendered later and open shadow
 * roots need no setup for clicks (`composedPath()` reaches into them), and a `submit`
 * arrives before the page's own handler, so a form whose handler calls preventDefault
 * still counts. Middle clicks only arrive as `auxclick`.
 */
export function listenForInteractions(handlers: InteractionHandlers): Interactions {
  let stopped = false;
  const onClick = (event: Event) => {
    if (stopped || (event.type === 'auxclick' && (event as MouseEvent).button !== MIDDLE_BUTTON)) return;
    handlers.click(elementsOf(event.composedPath()), Date.now());
  };
  // The form's own lineage, not the event path: inside a shadow root the path stops at
  // the root, and the host's ancestors hold the index and queryID.
  const onSubmit = (event: Event) => {
    if (!stopped && event.target instanceof Element) handlers.submit(lineageOf(event.target), Date.now());
  };
  for (const type of CLICKS) document.addEventListener(type, onClick, LISTENER);
  document.addEventListener('submit', onSubmit, LISTENER);
  return {
    watch: (root) => root.addEventListener('submit', onSubmit, LISTENER),
    stop() {
      // Listeners on shadow roots stay (no list of roots is kept, so none is held in memory); the flag silences them.
      stopped = true;
      for (const type of CLICKS) document.removeEventListener(type, onClick, LISTENER);
      document.removeEventListener('submit', onSubmit, LISTENER);
    },
  };
}
