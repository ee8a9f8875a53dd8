/** Feeds the OS power events to the power policy, which pauses and resumes the client. */
import { powerMonitor } from 'electron';
import type { PresenceClientApi } from '../client/types.js';
import { createPowerPolicy } from './power-policy.js';

/** Subscribes to suspend/resume/lock-screen/unlock-screen; returns the unsubscribe. */
export function setupPower(client: Pick<PresenceClientApi, 'pause' | 'resume'>): () => void {
  const policy = createPowerPolicy(client);
  const onSuspend = (): void => policy.handle('suspend');
  const onResume = (): void => policy.handle('resume');
  const onLock = (): void => policy.handle('lock-screen');
  const onUnlock = (): void => policy.handle('unlock-screen');
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  powerMonitor.on('lock-screen', onLock);
  powerMonitor.on('unlock-screen', onUnlock);
  return () => {
    powerMonitor.off('suspend', onSuspend);
    powerMonitor.off('resume', onResume);
    powerMonitor.off('lock-screen', onLock);
    powerMonitor.off('unlock-screen', onUnlock);
  };
}
