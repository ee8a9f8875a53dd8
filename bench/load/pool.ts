/**
 * The main thread's side of the load generator: starts the worker threads, spreads clients over
 * them and runs an operation on all of them at once. Calls are bounded by a timeout.
 */
import { Worker } from 'node:worker_threads';
import type { ClientSpec, ConnectArgs, ConnectResult, OpName, Ops, Reply } from './messages.js';

const WORKER_URL = new URL('./worker.ts', import.meta.url).href;
// Worker threads do not inherit tsx's module hooks (Node 20): each worker registers them itself
// before importing the TypeScript entry.
const BOOT = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL)}); })`;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class LoadPool {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private nextWorker = 0;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (reply: Reply) => {
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        clearTimeout(p.timer);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new Error(reply.error));
      });
      w.on('error', (err) => this.failAll(err));
    }
  }

  /** Starts `n` worker threads. */
  static start(n: number): LoadPool {
    const workers = Array.from({ length: n }, () => new Worker(BOOT, { eval: true }));
    return new LoadPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs `op` on worker `i`. */
  call<K extends OpName>(i: number, op: K, args: Ops[K]['args'], timeoutMs = 180_000): Promise<Ops[K]['result']> {
    const worker = this.workers[i];
    if (!worker) return Promise.reject(new Error(`no worker ${i}`));
    const id = this.nextId++;
    return new Promise<Ops[K]['result']>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load worker ${i}: ${op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ id, op, args });
    });
  }

  /** Runs `op` on every worker (args per worker when a function), resolving every answer. */
  all<K extends OpName>(op: K, args: Ops[K]['args'] | ((i: number) => Ops[K]['args']), timeoutMs?: number): Promise<Ops[K]['result'][]> {
    return Promise.all(
      this.workers.map((_, i) => this.call(i, op, typeof args === 'function' ? args(i) : args, timeoutMs)),
    );
  }

  /** Connects `specs` spread round-robin over the workers; one merged result. */
  async connect(specs: ClientSpec[], opts: Omit<ConnectArgs, 'clients'>): Promise<ConnectResult> {
    const shares: ClientSpec[][] = this.workers.map(() => []);
    for (const spec of specs) (shares[this.nextWorker++ % shares.length] as ClientSpec[]).push(spec);
    const timeout = opts.timeoutMs * Math.ceil(specs.length / (opts.concurrency * this.size) + 2) + 10_000;
    const parts = await this.all('connect', (i) => ({ ...opts, clients: shares[i] ?? [] }), timeout);
    return mergeConnect(parts);
  }

  async close(): Promise<void> {
    this.failAll(new Error('load pool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}

/** Merges the per-worker connect results. */
export function mergeConnect(parts: ConnectResult[]): ConnectResult {
  const out: ConnectResult = { connected: 0, failed: 0, errors: {}, times: [] };
  for (const p of parts) {
    out.connected += p.connected;
    out.failed += p.failed;
    for (const [k, v] of Object.entries(p.errors)) out.errors[k] = (out.errors[k] ?? 0) + v;
    for (const t of p.times) out.times.push(t);
  }
  return out;
}

/** Keys for client specs: unique across the whole run. */
let keySeq = 0;
export function specsFor(tokens: { token: string }[]): ClientSpec[] {
  return tokens.map((t) => ({ key: keySeq++, token: t.token }));
}
