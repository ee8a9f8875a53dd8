import { describe, expect, it } from 'vitest';
import { firstBeatDelay, nextDelay } from '../../client/backoff.js';
import { seededRandom } from './support/random.js';

const BASE = 500;
const CAP = 30_000;

/** Socket.IO 4's Backoff (socket.io-client/build/esm/contrib/backo2.js) with its defaults, for contrast. */
function socketIoDelay(attempt: number, random: () => number, min = 1_000, max = 5_000, jitter = 0.5): number {
  let ms = min * 2 ** attempt;
  const rand = random();
  const deviation = Math.floor(rand * jitter * ms);
  ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
  return Math.min(ms, max) | 0;
}

/** When each client gets through after a restart: all drop at t=0, the server is back at `downMs`. */
function reconnectOffsets(clients: number, downMs: number, delay: (attempt: number) => number): number[] {
  const offsets: number[] = [];
  for (let c = 0; c < clients; c++) {
    let t = 0;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      t += delay(attempt);
      if (t >= downMs) break;
    }
    offsets.push(t - downMs);
  }
  return offsets.sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The largest share of values falling into one bucket of `width`. */
function peakShare(values: number[], width: number): number {
  const buckets = new Map<number, number>();
  for (const v of values) buckets.set(Math.floor(v / width), (buckets.get(Math.floor(v / width)) ?? 0) + 1);
  return Math.max(...buckets.values()) / values.length;
}

describe('nextDelay (full jitter)', () => {
  it('stays in [0, min(cap, base * 2^attempt))', () => {
    const rnd = seededRandom(1);
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(CAP, BASE * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const d = nextDelay(attempt, BASE, CAP, rnd);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });

  it('maps the random draw onto the whole range, and survives absurd attempts and draws', () => {
    expect(nextDelay(0, BASE, CAP, () => 0)).toBe(0);
    expect(nextDelay(3, BASE, CAP, () => 0.5)).toBe(2_000);
    expect(nextDelay(3, BASE, CAP, () => 0.999999)).toBe(3_999);
    expect(nextDelay(1e9, BASE, CAP, () => 0.5)).toBe(15_000);
    expect(nextDelay(-5, BASE, CAP, () => 0.5)).toBe(250);
    expect(nextDelay(50, BASE, CAP, () => 1)).toBe(CAP - 1);
    expect(nextDelay(50, BASE, CAP, () => -1)).toBe(0);
  });

  it('stays spread after the cap, where Socket.IO backoff sits on its max in lockstep', () => {
    const rnd = seededRandom(42);
    const ours = Array.from({ length: 1000 }, () => nextDelay(25, BASE, CAP, rnd));
    const theirs = Array.from({ length: 1000 }, () => socketIoDelay(25, rnd));
    const mean = ours.reduce((a, b) => a + b, 0) / ours.length;
    const sd = Math.sqrt(ours.reduce((a, b) => a + (b - mean) ** 2, 0) / ours.length);
    // uniform on [0, cap): mean cap/2, sd cap/sqrt(12)
    expect(Math.abs(mean - CAP / 2)).toBeLessThan(CAP * 0.05);
    expect(Math.abs(sd - CAP / Math.sqrt(12))).toBeLessThan(CAP * 0.03);
    expect(new Set(ours).size).toBeGreaterThan(950);
    expect(peakShare(ours, CAP / 20)).toBeLessThan(0.1); // 20 buckets, 5 % expected in each
    expect(new Set(theirs).size).toBe(1); // every Socket.IO client waits exactly 5000 ms
  });

  it('spreads 1000 clients reconnecting after a 60 s server restart (no lockstep)', () => {
    const rnd = seededRandom(7);
    const ours = reconnectOffsets(1000, 60_000, (a) => nextDelay(a, BASE, CAP, rnd));
    const theirs = reconnectOffsets(1000, 60_000, (a) => socketIoDelay(a, rnd));
    const summary = (o: number[]) =>
      `first ${quantile(o, 0)} ms, p10 ${quantile(o, 0.1)}, p50 ${quantile(o, 0.5)}, p90 ${quantile(o, 0.9)}, ` +
      `last ${quantile(o, 1)} ms; busiest second ${(peakShare(o, 1000) * 100).toFixed(1)} %, ` +
      `busiest 100 ms ${(peakShare(o, 100) * 100).toFixed(1)} %`;
    console.log(`reconnect after restart, 1000 clients, full jitter (base ${BASE}, cap ${CAP}): ${summary(ours)}`);
    console.log(`same with Socket.IO's backoff (1000..5000 ms, ±50 %):            ${summary(theirs)}`);
    expect(quantile(ours, 0.9) - quantile(ours, 0.1)).toBeGreaterThan(10_000);
    expect(quantile(ours, 1)).toBeLessThan(CAP);
    expect(peakShare(ours, 1000)).toBeLessThan(0.1);
    expect(peakShare(ours, 100)).toBeLessThan(0.02);
    // the contrast the design note claims: Socket.IO's clients come back within one 5 s window
    expect(quantile(theirs, 1) - quantile(theirs, 0)).toBeLessThan(5_000);
    expect(peakShare(ours, 1000)).toBeLessThan(peakShare(theirs, 1000));
  });
});

describe('firstBeatDelay', () => {
  it('is uniform over one interval', () => {
    const rnd = seededRandom(3);
    const delays = Array.from({ length: 1000 }, () => firstBeatDelay(30_000, rnd));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(30_000);
    expect(peakShare(delays, 3_000)).toBeLessThan(0.15); // 10 buckets, 10 % expected
    expect(firstBeatDelay(30_000, () => 0)).toBe(0);
    expect(firstBeatDelay(30_000, () => 1)).toBe(29_999);
  });
});
