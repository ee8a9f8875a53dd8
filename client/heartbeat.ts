/**
 * The heartbeat schedule: a first beat after a chosen delay (jittered on a normal connect,
 * zero after a wake), then one beat per interval. Chained timeouts rather than setInterval so
 * a changed interval takes effect at the next beat and a stopped timer never fires again.
 */
import { Timer, type Clock } from './clock.js';

/** Calls `beat` after a first delay, then every interval, until stopped. */
export class HeartbeatTimer {
  private readonly timer: Timer;
  private intervalMs = 0;

  constructor(
    clock: Clock,
    private readonly beat: () => void,
  ) {
    this.timer = new Timer(clock);
  }

  /** (Re)starts: first beat after `firstDelayMs` (0 = now, synchronously), then every `intervalMs`. */
  start(intervalMs: number, firstDelayMs: number): void {
    this.intervalMs = intervalMs;
    if (firstDelayMs <= 0) {
      this.fire();
      return;
    }
    this.timer.arm(firstDelayMs, () => this.fire());
  }

  /** Uses a new interval from the next beat on. */
  setInterval(intervalMs: number): void {
    this.intervalMs = intervalMs;
  }

  /** Stops; no beat fires until start() again. */
  stop(): void {
    this.timer.cancel();
  }

  /** True while a beat is scheduled. */
  get running(): boolean {
    return this.timer.armed;
  }

  private fire(): void {
    this.timer.arm(this.intervalMs, () => this.fire());
    this.beat();
  }
}
