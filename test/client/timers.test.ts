import { describe, expect, it } from 'vitest';
import { isWallClockGap, WallClockGapDetector } from '../../client/gap-detector.js';
import { HeartbeatTimer } from '../../client/heartbeat.js';
import { ManualClock } from './support/manual-clock.js';

describe('HeartbeatTimer', () => {
  it('beats after the first delay, then once per interval', () => {
    const clock = new ManualClock(0);
    const beats: number[] = [];
    const hb = new HeartbeatTimer(clock, () => beats.push(clock.now()));
    hb.start(1_000, 250);
    clock.advance(249);
    expect(beats).toEqual([]);
    clock.advance(1);
    expect(beats).toEqual([250]);
    clock.advance(3_000);
    expect(beats).toEqual([250, 1_250, 2_250, 3_250]);
  });

  it('a zero first delay beats synchronously', () => {
    const clock = new ManualClock(0);
    let beats = 0;
    const hb = new HeartbeatTimer(clock, () => beats++);
    hb.start(1_000, 0);
    expect(beats).toBe(1);
    clock.advance(1_000);
    expect(beats).toBe(2);
  });

  it('stop() stops for good, start() restarts without doubling', () => {
    const clock = new ManualClock(0);
    let beats = 0;
    const hb = new HeartbeatTimer(clock, () => beats++);
    hb.start(100, 100);
    hb.start(100, 100); // re-start replaces, never two chains
    clock.advance(1_000);
    expect(beats).toBe(10);
    hb.stop();
    expect(hb.running).toBe(false);
    clock.advance(1_000);
    expect(beats).toBe(10);
    expect(clock.pending).toBe(0);
  });

  it('a new interval applies from the next beat', () => {
    const clock = new ManualClock(0);
    const beats: number[] = [];
    const hb = new HeartbeatTimer(clock, () => beats.push(clock.now()));
    hb.start(100, 100);
    clock.advance(100);
    hb.setInterval(300);
    clock.advance(700);
    expect(beats).toEqual([100, 200, 500, 800]);
  });
});

describe('wall-clock gap detection', () => {
  it('isWallClockGap: more than two periods late', () => {
    expect(isWallClockGap(1_000, 1_000, 1_000)).toBe(false);
    expect(isWallClockGap(1_000, 3_000, 1_000)).toBe(false);
    expect(isWallClockGap(1_000, 3_001, 1_000)).toBe(true);
    expect(isWallClockGap(1_000, 2_000, 100, 5)).toBe(true);
  });

  it('stays quiet while timers run on time, fires once after a sleep', () => {
    const clock = new ManualClock(0);
    const gaps: number[] = [];
    const detector = new WallClockGapDetector(clock, 1_000, (late) => gaps.push(late));
    detector.start();
    clock.advance(60_000);
    expect(gaps).toEqual([]);
    clock.sleep(10_000); // frozen for 10 s: the tick due at 61 000 fires at 70 000
    expect(gaps).toEqual([9_000]);
    clock.advance(5_000);
    expect(gaps).toHaveLength(1);
    clock.sleep(2_500); // late by 1.5 periods: a busy event loop, not a sleep
    expect(gaps).toHaveLength(1);
    detector.stop();
    clock.sleep(100_000);
    expect(gaps).toHaveLength(1);
  });
});

describe('ManualClock', () => {
  it('advance fires in due order at due times; sleep fires late; cleared timers never fire', () => {
    const clock = new ManualClock(0);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 10);
    const c = clock.setTimeout(() => log.push('c'), 15);
    clock.clearTimeout(c);
    clock.advance(25);
    clock.setTimeout(() => log.push(`d@${clock.now()}`), 10);
    clock.sleep(100);
    expect(log).toEqual(['a@10', 'b@20', 'd@125']);
    expect(clock.now()).toBe(125);
  });
});
