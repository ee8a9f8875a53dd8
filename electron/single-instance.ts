/** One HereNow per user: a second launch hands over to the first, which shows its window. */
import { app } from 'electron';

/**
 * Takes the single-instance lock. Returns false in a second instance, which must quit at once
 * (before it creates a window or a socket); the first instance runs `onSecondLaunch`.
 */
export function setupSingleInstance(onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => onSecondLaunch());
  return true;
}
