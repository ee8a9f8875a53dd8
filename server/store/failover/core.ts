/**
 * The switching machinery of FailoverStore (server/store/failover.ts): which store serves a call
 * (primary, the memory of the current outage, or wait while reconciling), the switch to degraded,
 * the probe loop, and one reconciliation attempt. FailoverStore adds the PresenceStore operations
 * and what the ledger learns from each.
 */
import { Ledger } from './ledger.js';
import { Outage } from './outage.js';
import { SequenceMap } from './sequence.js';
import { chatsLost, writeBack } from './write-back.js';
import { type Change, type PresenceEvent, type PresenceResult, type PresenceStore, type StoreTimings, StoreError } from '../types.js';

/** The part of a pino logger FailoverStore uses. */
export interface FailoverLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface FailoverOptions {
  log: FailoverLog;
  /** ms between probes of the primary while degraded (default 500) */
  probeIntervalMs?: number;
  /** a reconciliation attempt (and, separately, the onRecovered listeners) must end within this (default 8 s) */
  recoveryTimeoutMs?: number;
  /** session records remembered for failover (default 100 000; connected users always are) */
  maxKnownSessions?: number;
  /** clock for reconciliation; default: the latest `now` a caller passed (else Date.now()) */
  now?: () => number;
}

export interface Recovery {
  /** changes found while reconciling: dispatch them like any operation's events */
  events: PresenceEvent[];
  /** sessions written back to the primary */
  restored: number;
  /** live connections re-registered by the store itself (the server re-asserts its sockets too) */
  reasserted: number;
  /** wall-clock length of the outage, ms */
  outageMs: number;
}

export type RecoveryListener = (recovery: Recovery) => void | Promise<void>;

/** How a call was served: the store, the outage it belongs to (null: primary), the epoch. */
export interface Route {
  store: PresenceStore;
  outage: Outage | null;
  epoch: number;
}

/** 'known': the memory path needs the session known to the node (else 'unavailable'). */
export type Need = 'none' | 'known' | 'any';

const isUnavailable = (err: unknown) => err instanceof StoreError && err.code === 'unavailable';
export const unavailable = (why: string) => new StoreError('unavailable', `the presence store is unavailable (${why})`);

export class FailoverCore {
  private mode: 'primary' | 'degraded' | 'recovering' = 'primary';
  private flag = false;
  protected outage: Outage | null = null;
  private epoch = 0;
  private gate: Promise<void> = Promise.resolve();
  private probeTimer: NodeJS.Timeout | null = null;
  private recovering: Promise<void> | null = null;
  protected closed = false;
  protected lastNow = 0;
  protected readonly ledger: Ledger;
  protected readonly seqs = new SequenceMap();
  private readonly listeners = new Set<RecoveryListener>();
  private readonly log: FailoverLog;
  private readonly probeMs: number;
  private readonly recoveryMs: number;
  private readonly clock: () => number;

  constructor(
    protected readonly primary: PresenceStore,
    private readonly timings: StoreTimings,
    options: FailoverOptions,
  ) {
    this.log = options.log;
    this.probeMs = options.probeIntervalMs ?? 500;
    this.recoveryMs = options.recoveryTimeoutMs ?? 8_000;
    this.ledger = new Ledger(options.maxKnownSessions ?? 100_000, timings.sessionTtlMs);
    this.clock = options.now ?? (() => (this.lastNow > 0 ? this.lastNow : Date.now()));
  }

  /** True from the first failed operation until the primary is back and reconciled. */
  get degraded(): boolean {
    return this.flag;
  }

  /** Called after each recovery, before `degraded` clears; returns an unsubscribe function. */
  onRecovered(fn: RecoveryListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * The primary's connection reports a failure (node-redis 'error'): switch now rather than at
   * the next failing call. A Redis that restarts within a second may otherwise come back empty
   * between two calls, unnoticed, and the sessions it lost would never be written back.
   */
  primaryFailed(err: unknown): void {
    this.degrade(err);
  }

  // ---- routing -------------------------------------------------------------------------------

  /**
   * Runs `op` on the store that serves now. A primary failing with 'unavailable' switches to
   * degraded and the same call runs on memory; calls arriving during a reconciliation wait for
   * it. Bounded: a few re-routings at most (each needs a switch to happen meanwhile).
   */
  protected async exec<T>(now: number, userId: string | null, need: Need, op: (r: Route) => Promise<T>): Promise<T> {
    this.lastNow = Math.max(this.lastNow, now);
    for (let attempt = 0; attempt < 4; attempt++) {
      if (this.mode === 'recovering') {
        await this.gate;
        continue;
      }
      const outage = this.outage;
      if (this.mode === 'primary' || !outage) {
        try {
          return await op({ store: this.primary, outage: null, epoch: this.epoch });
        } catch (err) {
          if (!isUnavailable(err) || this.closed) throw err;
          this.degrade(err);
          continue;
        }
      }
      return await this.onMemory(outage, userId, need, op);
    }
    throw unavailable('switching between the primary store and the fallback');
  }

  protected async onMemory<T>(outage: Outage, userId: string | null, need: Need, op: (r: Route) => Promise<T>): Promise<T> {
    outage.begin();
    try {
      await outage.seeding;
      if (userId !== null) outage.used.add(userId);
      if (userId !== null && need !== 'none') {
        const known = await outage.ensure(this.ledger, userId, this.clock());
        if (!known && need === 'known') throw unavailable('session unknown to this node while degraded');
      }
      return await op({ store: outage.memory, outage, epoch: this.epoch });
    } finally {
      outage.end();
    }
  }

  /** An operation that returns events: the ledger and the outage learn from them. */
  protected async change<T extends Change>(
    userId: string | null,
    now: number,
    need: Need,
    replayable: boolean,
    op: (s: PresenceStore) => Promise<T>,
    onOutage?: (o: Outage) => void,
  ): Promise<T> {
    const res = await this.exec(now, userId, need, async (r) => {
      if (r.outage) onOutage?.(r.outage);
      const out = await op(r.store);
      r.outage?.noteEvents(out.events);
      if (replayable && userId !== null) await this.replay(r, userId, op, onOutage);
      return out;
    });
    this.ledger.observe(res.events);
    return res;
  }

  protected async presenceChange(userId: string, now: number, op: (s: PresenceStore) => Promise<PresenceResult>) {
    return this.change(userId, now, 'known', false, op, (o) => o.changed.add(userId));
  }

  /**
   * A call the primary served while an outage began: memory (seeded before the answer came)
   * must see it too, or the write-back would undo it (a deleted session restored, a closed
   * connection re-registered).
   */
  protected async replay<T>(r: Route, userId: string, op: (s: PresenceStore) => Promise<T>, onOutage?: (o: Outage) => void) {
    const outage = this.outage;
    if (r.outage || !outage || this.mode !== 'degraded') return;
    await this.onMemory(outage, userId, 'any', async (m) => {
      onOutage?.(outage);
      await op(m.store).catch((err: unknown) => {
        if (!(err instanceof StoreError)) throw err;
      });
    });
  }

  // ---- outage and recovery -------------------------------------------------------------------

  /** Stops probing for good and waits for a probe or reconciliation in progress (bounded). */
  protected async stopProbing(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    await this.recovering;
  }

  private degrade(err: unknown): void {
    if (this.mode !== 'primary' || this.closed) return;
    const outage = new Outage(this.timings);
    this.outage = outage;
    this.mode = 'degraded';
    this.flag = true;
    this.epoch++;
    const reason = err instanceof Error ? err.message : String(err);
    this.log.warn({ err: reason }, 'presence store unavailable: serving from memory on this node (degraded)');
    outage.seeding = outage.seed(this.ledger, this.clock()).catch((seedErr: unknown) => {
      // Memory serves what it got; the rest is restored per user on first use (Outage.ensure).
      this.log.warn({ err: seedErr instanceof Error ? seedErr.message : String(seedErr) }, 'seeding the fallback failed');
    });
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer || this.mode !== 'degraded') return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.recovering = this.probe()
        .catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'store probe failed'))
        .finally(() => {
          this.recovering = null;
          this.scheduleProbe();
        });
    }, this.probeMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.closed || this.mode !== 'degraded') return;
    const up = await withTimeout(this.primary.ping(), this.probeMs * 4).catch(() => false);
    if (up && !this.closed && this.mode === 'degraded') await this.recover();
  }

  /** One reconciliation attempt; on failure the node stays degraded and probes again. */
  private async recover(): Promise<void> {
    const outage = this.outage;
    if (!outage) return;
    this.mode = 'recovering';
    let open = () => {};
    this.gate = new Promise<void>((resolve) => (open = resolve));
    let abandoned = false;
    let result;
    try {
      await withTimeout(outage.seeding.then(() => outage.drain()), this.recoveryMs);
      const checkAbort = () => {
        if (abandoned) throw unavailable('reconciliation abandoned');
      };
      const now = this.clock();
      result = await withTimeout(
        (async () => {
          const written = await writeBack(this.primary, outage, this.ledger, now, checkAbort);
          this.ledger.observe(written.events);
          const lost = await chatsLost(this.primary, this.ledger, now, checkAbort);
          this.ledger.observe(lost);
          return { ...written, events: [...written.events, ...lost] };
        })(),
        this.recoveryMs,
      );
    } catch (err) {
      abandoned = true;
      this.mode = 'degraded';
      open();
      // Redis failing again is expected here (debug); anything else is a bug and must show.
      const detail = { err: err instanceof Error ? err.message : String(err) };
      if (isUnavailable(err)) this.log.debug(detail, 'presence store reconciliation failed; still degraded');
      else this.log.warn(detail, 'presence store reconciliation failed; still degraded');
      return;
    }
    // Memory's sessions are in the primary now: the primary serves again, memory is let go.
    this.outage = null;
    this.epoch++;
    this.mode = 'primary';
    open();
    const recovery: Recovery = { ...result, outageMs: Date.now() - outage.startedAt };
    const listeners = [...this.listeners].map(async (fn) => fn(recovery));
    await withTimeout(Promise.all(listeners), this.recoveryMs).catch((err: unknown) => {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'onRecovered listener failed');
    });
    if (this.mode !== 'primary') return; // failed again while the listeners ran: a new outage
    this.flag = false;
    const { restored, reasserted, outageMs } = recovery;
    this.log.info({ restored, reasserted, events: recovery.events.length, outageMs }, 'presence store is back: reconciled, not degraded');
  }
}

/** `p`, or a rejection with StoreError 'unavailable' after `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
