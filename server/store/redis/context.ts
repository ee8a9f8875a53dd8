/**
 * What the RedisStore modules share: the key layout, the script runner, the timings, and the
 * two patterns every bucketed operation follows — run a per-user script in the user's bucket,
 * then do the follow-ups it left for other hash tags (partner releases through the outbox,
 * dequeues from the central queue) — and repeat batched scripts while they report more.
 */
import { type PresenceEvent, StoreError, type StoreTimings } from '../types.js';
import { decodeEvents, decodeFollowUps, type FollowUp } from './decode.js';
import { type BucketKeys, type StoreKeys, userKeys } from './keys.js';
import type { ScriptArg, ScriptRunner } from './runner.js';
import { SCRIPTS, type ScriptName } from './scripts.js';

/** Batched loops stop here even if Redis keeps answering `more` (a bug, not a workload). */
const MAX_BATCHES = 10_000;

/**
 * A cross-tag step that could not run now is left to the recovery sweep: nothing to return.
 * Anything but unavailability (a script bug) is still thrown.
 */
export function deferred(err: unknown): never[] {
  if (err instanceof StoreError && err.code === 'unavailable') return [];
  throw err;
}

export class StoreContext {
  constructor(
    readonly run: ScriptRunner,
    readonly keys: StoreKeys,
    readonly t: StoreTimings,
    /** how long per-user keys outlive `expiresAt` */
    readonly retainMs: number,
    /** users (or connections) one batched script handles per call */
    readonly batchSize: number,
  ) {}

  /** ARGV[1..6] of every presence script (lib/presence.lua). */
  common(b: BucketKeys, now: number, graceMs = this.t.leaveGraceMs): ScriptArg[] {
    const t = this.t;
    return [b.base, now, t.sessionTtlMs, graceMs, t.changeLogMax, this.retainMs];
  }

  /** Runs a per-user presence script (KEYS[1..11], ARGV[1..7] = common + userId, then `extra`). */
  user(
    script: ScriptName,
    userId: string,
    now: number,
    extra: readonly ScriptArg[] = [],
    graceMs = this.t.leaveGraceMs,
  ): Promise<Record<string, unknown>> {
    const b = this.keys.bucketOf(userId);
    return this.run.json(SCRIPTS[script], userKeys(b, userId), [...this.common(b, now, graceMs), userId, ...extra]);
  }

  /** Runs a bucket-wide presence script (KEYS[1..9], then `keys`). */
  bucket(script: ScriptName, b: BucketKeys, now: number, keys: readonly string[], extra: readonly ScriptArg[]) {
    return this.run.json(SCRIPTS[script], [...b.indexes, ...keys], [...this.common(b, now), ...extra]);
  }

  /**
   * A script's events followed by those of the work it left: each partner release runs in the
   * partner's bucket and is then acknowledged in the source bucket's outbox; each dequeue runs
   * on the central queue. Until acknowledged, a release stays in the outbox for the sweep.
   */
  async follow(source: BucketKeys, out: Record<string, unknown>, now: number): Promise<PresenceEvent[]> {
    const events = decodeEvents(out.ev);
    const work = decodeFollowUps(out.f);
    if (work.length > 0) events.push(...(await this.followUps(source, work, now)));
    return events;
  }

  /**
   * Does follow-ups left in `source` (a script's, or stale outbox entries found by the sweep).
   * Best effort: the operation that left them has happened, so a follow-up that fails (Redis
   * unreachable) does not fail it. A release not acknowledged stays in the outbox for the sweep;
   * a dequeue not done leaves a stale queue entry, dropped when its claim fails.
   */
  async followUps(source: BucketKeys, work: readonly FollowUp[], now: number): Promise<PresenceEvent[]> {
    const c = this.keys.central;
    const done: string[] = [];
    const results = await Promise.all(
      work.map(async (w): Promise<PresenceEvent[]> => {
        try {
          if (w.kind === 'dequeue') {
            await this.run.raw(SCRIPTS.dequeue, [c.queue, c.queueInfo], [w.userId, w.token]);
            return [];
          }
          const out = await this.user('release', w.partnerId, now, [w.chatId, w.reason]);
          done.push(w.member);
          return decodeEvents(out.ev);
        } catch (err) {
          return deferred(err);
        }
      }),
    );
    if (done.length > 0) await this.run.raw(SCRIPTS.outbox_ack, [source.outbox], done).catch(deferred);
    return results.flat();
  }

  /** Repeats a batched script while it reports more, returning every reply in order. */
  async batched(step: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>[]> {
    const replies: Record<string, unknown>[] = [];
    for (let i = 0; i < MAX_BATCHES; i++) {
      const out = await step();
      replies.push(out);
      if (out.more !== 1) break;
    }
    return replies;
  }
}
