import type { Consent } from '../options';

/**
 * What the user allows (docs/behaviour.md, Storage). Storing anything needs storage
 * consent and no opt-out; once opted out, or once the instance is destroyed, nothing is sent.
 */
export interface Privacy {
  /** IndexedDB, cookies and session storage may be written. */
  mayStore(): boolean;
  /** Opted out or destroyed: no event is sent any more. */
  isInactive(): boolean;
  setConsent(consent: Consent): void;
  setOptOut(optOut: boolean): void;
  /** The instance is destroyed: it sends nothing more, but forgets nothing either. */
  end(): void;
}

export function createPrivacy(options: { consent: Consent; optOut: boolean }): Privacy {
  let { consent, optOut } = options;
  let ended = false;
  return {
    mayStore: () => consent === 'granted' && !optOut,
    isInactive: () => optOut || ended,
    setConsent(next) {
      consent = next;
    },
    setOptOut(next) {
      optOut = next;
    },
    end() {
      ended = true;
    },
  };
}
