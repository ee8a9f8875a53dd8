/**
 * When the client should sleep and wake, from the OS power events (pure; power.ts feeds it).
 * The client is paused while the machine sleeps or the screen is locked (nobody is "here"), and
 * resumed when neither holds any more. Each reason is a set member, so the duplicate events the
 * OS likes to send (two `suspend`s, `resume` after `unlock-screen`) change nothing.
 */
import type { PresenceClientApi } from '../client/types.js';

export const POWER_EVENTS = ['suspend', 'resume', 'lock-screen', 'unlock-screen'] as const;
export type PowerEvent = (typeof POWER_EVENTS)[number];

type Reason = 'asleep' | 'locked';

export interface PowerPolicy {
  handle(event: PowerEvent): void;
  /** true while the client is paused by us */
  readonly paused: boolean;
}

/** Creates the policy; it calls `client.pause()` / `client.resume()` once per transition. */
export function createPowerPolicy(client: Pick<PresenceClientApi, 'pause' | 'resume'>): PowerPolicy {
  const reasons = new Set<Reason>();
  const change = (reason: Reason, present: boolean): void => {
    const wasPaused = reasons.size > 0;
    if (present) reasons.add(reason);
    else reasons.delete(reason);
    const isPaused = reasons.size > 0;
    if (!wasPaused && isPaused) client.pause();
    else if (wasPaused && !isPaused) client.resume();
  };
  return {
    handle(event) {
      switch (event) {
        case 'suspend':
          return change('asleep', true);
        case 'resume':
          return change('asleep', false);
        case 'lock-screen':
          return change('locked', true);
        case 'unlock-screen':
          return change('locked', false);
      }
    },
    get paused() {
      return reasons.size > 0;
    },
  };
}
