/**
 * Reconnect delays: exponential backoff with FULL jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"). The delay is uniform in [0, min(cap, base * 2^attempt)), so after the cap
 * it stays uniform in [0, cap) instead of collapsing onto the cap. Socket.IO's own backoff adds
 * ±jitter and then clamps to its max, which puts about half of all clients on exactly the max
 * once the cap is reached: after a server restart they come back in lockstep.
 */

/** Exponents above this would only overflow; the cap is reached long before. */
const MAX_EXPONENT = 30;

/** Full-jitter delay (ms) before reconnect attempt `attempt` (0-based); `random` returns [0, 1). */
export function nextDelay(attempt: number, base: number, cap: number, random: () => number): number {
  const exp = Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT);
  const ceiling = Math.min(cap, base * 2 ** exp);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

/** Delay of the first heartbeat after a connection: uniform in [0, interval), so clients that
 * connected together do not beat together. */
export function firstBeatDelay(intervalMs: number, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * intervalMs);
}
