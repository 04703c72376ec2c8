import { ancestryOf } from '../markup/ancestry';

const MIDDLE_BUTTON = 1;

export interface InteractionHandlers {
  /** `middle`: a middle click, which opens a link in a new tab and activates nothing else. */
  click(path: Element[], timestamp: number, middle: boolean): void;
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
  // One signal removes every listener, those on shadow roots too, without keeping a list of roots.
  const listening = new AbortController();
  const listener = { capture: true, passive: true, signal: listening.signal };
  const onClick = (event: Event) => {
    const middle = event.type === 'auxclick';
    if (middle && (event as MouseEvent).button !== MIDDLE_BUTTON) return;
    handlers.click(
      event.composedPath().filter((target): target is Element => target instanceof Element),
      Date.now(),
      middle,
    );
  };
  // The form's own ancestry, not the event path: inside a shadow root the path stops at
  // the root, and the host's ancestors hold the index and queryID.
  const onSubmit = (event: Event) => {
    if (event.target instanceof Element) handlers.submit(ancestryOf(event.target), Date.now());
  };
  const watch = (root: Document | ShadowRoot) => root.addEventListener('submit', onSubmit, listener);
  document.addEventListener('click', onClick, listener);
  document.addEventListener('auxclick', onClick, listener);
  watch(document);
  return { watch, stop: () => listening.abort() };
}
