/**
 * The wall-clock gap detector: a timer that should fire every `periodMs`. When the machine
 * sleeps, timers do not run; after wake the timer fires far later than scheduled. A lateness of
 * more than `factor` periods means the process was frozen (sleep, a stopped VM, a debugger), so
 * the socket may look open while it is dead: PresenceClient then takes the same path as resume().
 */
import { Timer, type Clock } from './clock.js';

/** True when a timer due at `expectedAt` that fired at `firedAt` reveals a frozen process. */
export function isWallClockGap(expectedAt: number, firedAt: number, periodMs: number, factor = 2): boolean {
  return firedAt - expectedAt > factor * periodMs;
}

/** Calls `onGap` when its own timer fires more than `factor` periods late. */
export class WallClockGapDetector {
  private readonly timer: Timer;
  private expectedAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly onGap: (lateByMs: number) => void,
    private readonly factor = 2,
  ) {
    this.timer = new Timer(clock);
  }

  /** Starts watching (restarting if already running). */
  start(): void {
    this.arm();
  }

  /** Stops watching. */
  stop(): void {
    this.timer.cancel();
  }

  private arm(): void {
    this.expectedAt = this.clock.now() + this.periodMs;
    this.timer.arm(this.periodMs, () => this.tick());
  }

  private tick(): void {
    const firedAt = this.clock.now();
    const expectedAt = this.expectedAt;
    this.arm();
    if (isWallClockGap(expectedAt, firedAt, this.periodMs, this.factor)) this.onGap(firedAt - expectedAt);
  }
}
