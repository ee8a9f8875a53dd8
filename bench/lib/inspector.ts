/**
 * A minimal Chrome DevTools Protocol client for a server started with `--inspect=127.0.0.1:0`:
 * it forces a full garbage collection before a memory sample, so heap and RSS deltas measure
 * what connections keep alive rather than how far behind the collector happens to be, and it
 * records a CPU profile of exactly one measurement window (not start-up or connecting).
 */
import WebSocket from 'ws';

export interface Inspector {
  /** HeapProfiler.collectGarbage: a full, compacting GC in the server process */
  collectGarbage(): Promise<void>;
  /** process.memoryUsage() evaluated in the server */
  memoryUsage(): Promise<NodeJS.MemoryUsage>;
  /** starts the V8 sampling profiler (interval in µs) */
  startProfile(intervalUs?: number): Promise<void>;
  /** stops it and returns the profile (the .cpuprofile JSON) */
  stopProfile(): Promise<unknown>;
  /** starts the sampling heap profiler: it keeps a sample for allocations that stay alive */
  startHeapSampling(intervalBytes?: number): Promise<void>;
  /** stops it and returns the sampling heap profile ({ head: node tree }) */
  stopHeapSampling(): Promise<unknown>;
  close(): void;
}

const DEBUGGER_URL = /Debugger listening on (ws:\/\/\S+)/;

/** The inspector's WebSocket URL from the server's stderr/stdout text, or null. */
export function inspectorUrl(output: string): string | null {
  return DEBUGGER_URL.exec(output)?.[1] ?? null;
}

export async function connectInspector(url: string, timeoutMs = 30_000): Promise<Inspector> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  socket.on('message', (data: WebSocket.RawData) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result);
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`inspector ${method} timed out`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    async collectGarbage() {
      await send('HeapProfiler.collectGarbage');
    },
    async memoryUsage() {
      const r = (await send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as {
        result: { value?: string };
      };
      return JSON.parse(r.result.value ?? '{}') as NodeJS.MemoryUsage;
    },
    async startProfile(intervalUs = 500) {
      await send('Profiler.enable');
      await send('Profiler.setSamplingInterval', { interval: intervalUs });
      await send('Profiler.start');
    },
    async stopProfile() {
      const r = (await send('Profiler.stop')) as { profile: unknown };
      await send('Profiler.disable');
      return r.profile;
    },
    async startHeapSampling(intervalBytes = 4_096) {
      await send('HeapProfiler.enable');
      await send('HeapProfiler.startSampling', { samplingInterval: intervalBytes });
    },
    async stopHeapSampling() {
      const r = (await send('HeapProfiler.stopSampling')) as { profile: unknown };
      return r.profile;
    },
    close: () => socket.close(),
  };
}
