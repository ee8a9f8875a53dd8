/**
 * Child processes of the bench: the presence server (a separate `node --import tsx` process, as
 * in production) and helpers that read a process's RSS and CPU time from /proc. Every child is
 * registered so the bench kills it at the end, also when it fails or is interrupted.
 */
import { createServer as createNetServer } from 'node:net';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const children = new Set<ChildProcess>();

/** Registers a child so killAll() ends it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGKILLs every child still running (the bench's last resort at exit). */
export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Absolute time in ms with sub-ms resolution, comparable across worker threads. */
export const nowMs = () => performance.timeOrigin + performance.now();

export interface ServerProc {
  pid: number;
  url: string;
  port: number;
  /** when the `listening on` line arrived (nowMs) */
  readyAt: number;
  /** Sends `signal` and waits for exit; SIGKILL after `graceMs`. Resolves the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
  /** the last few KB the process wrote to stderr and stdout, for error messages */
  tail(): string;
  readonly exited: boolean;
}

const LISTENING = /listening on (http:\/\/\S+):(\d+)/;
const TAIL_MAX = 8_000;

/**
 * Starts `server/index.ts` with exactly `env` (plus PATH/HOME, so no stray HERENOW setting of the
 * caller's shell leaks in) and resolves once it prints `listening on`.
 */
export function startServer(env: Record<string, string>, opts: { nodeArgs?: string[]; timeoutMs?: number } = {}): Promise<ServerProc> {
  const args = ['--import', 'tsx', ...(opts.nodeArgs ?? []), 'server/index.ts'];
  const fullEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
  const child = track(spawn(process.execPath, args, { cwd: REPO_ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_MAX);
  };
  return new Promise<ServerProc>((resolve, reject) => {
    let lineBuf = '';
    let listening = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print "listening on" within ${opts.timeoutMs ?? 30_000} ms:\n${tail}`));
    }, opts.timeoutMs ?? 30_000);
    child.stderr?.on('data', keep);
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (listening) return;
      lineBuf += chunk.toString('utf8');
      const m = LISTENING.exec(lineBuf);
      if (!m?.[1] || !m[2]) {
        lineBuf = lineBuf.slice(-500);
        return;
      }
      clearTimeout(timer);
      listening = true;
      const port = Number(m[2]);
      resolve(handle(child, `${m[1]}:${port}`, port, () => tail));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}):\n${tail}`));
    });
  });
}

function handle(child: ChildProcess, url: string, port: number, tail: () => string): ServerProc {
  const exit = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return {
    pid: child.pid ?? -1,
    url,
    port,
    readyAt: nowMs(),
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    tail,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
  };
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status), NaN if unreadable. */
export function readRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** User + system CPU time of a process in ms (all threads), from /proc/<pid>/stat. */
export function readCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields are counted after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The soft open-file limit of this process (children inherit it). */
export function fdLimit(): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m?.[1] ? Number(m[1]) : Number.NaN;
}

/** Runs a command with a hard timeout; resolves stdout+stderr (never rejects). */
export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err && 'code' in err && typeof err.code === 'number' ? err.code : err ? 1 : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    track(child);
  });
}

/** CPU use of several processes over a window, in % of one core. */
export class CpuMeter {
  private start = new Map<string, number>();
  private t0 = 0;
  private self0 = process.cpuUsage();

  constructor(private readonly pids: Record<string, number>) {}

  begin(): void {
    this.t0 = performance.now();
    this.self0 = process.cpuUsage();
    for (const [name, pid] of Object.entries(this.pids)) this.start.set(name, readCpuMs(pid));
  }

  /** % of one core per named process, plus `bench` (this process, all threads). */
  end(): Record<string, number> {
    const elapsed = performance.now() - this.t0;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      out[name] = Math.round((100 * (readCpuMs(pid) - (this.start.get(name) ?? Number.NaN))) / elapsed);
    }
    const self = process.cpuUsage(this.self0);
    out.bench = Math.round((100 * (self.user + self.system)) / 1000 / elapsed);
    return out;
  }
}

export interface CpuSnapshot {
  at: number;
  /** machine-wide busy CPU time (ms, all cores) */
  busyMs: number;
  /** this process and its children, live or reaped (ms) */
  oursMs: number;
}

function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Machine CPU and the bench's own share (itself, its worker threads, its children: Redis, the
 * servers, redis-cli...). The difference is what other processes on the machine used.
 */
export function cpuSnapshot(): CpuSnapshot {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const j = line.trim().split(/\s+/).slice(1).map(Number);
  const total = j.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (j[3] ?? 0) + (j[4] ?? 0);
  const self = statFields('self');
  // utime, stime, cutime, cstime (fields 14-17): cutime/cstime hold children already reaped.
  let ours = Number(self[11]) + Number(self[12]) + Number(self[13]) + Number(self[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = statFields(Number(entry));
      if (Number(f[1]) === process.pid) ours += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return { at: performance.now(), busyMs: ((total - idle) * 1000) / 100, oursMs: (ours * 1000) / 100 };
}

/** % of the whole machine (all cores) other processes used between two snapshots. */
export function othersCpuPct(a: CpuSnapshot, b: CpuSnapshot, cores: number): number {
  const elapsed = b.at - a.at;
  if (elapsed <= 0) return 0;
  const others = b.busyMs - a.busyMs - (b.oursMs - a.oursMs);
  return Math.max(0, (100 * others) / (elapsed * cores));
}

/**
 * A free loopback port below the kernel's ephemeral range (32768+). A server that restarts on the
 * same port must not sit in that range: while it is down, one of thousands of reconnecting
 * clients can be handed the port as its own local port, and the restart then fails (EADDRINUSE).
 */
export async function freeFixedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createNetServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/**
 * The kernel's listen-queue counters (TcpExt ListenOverflows / ListenDrops in /proc/net/netstat,
 * machine-wide): SYNs dropped because a listening socket's accept queue was full. A dropped SYN
 * is retransmitted after 1, 2, 4, 8, 16 s, which is what a client stuck in a storm waits.
 */
export function listenDrops(): { overflows: number; drops: number } {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = (lines[i] ?? '').trim().split(/\s+/);
    const values = (lines[i + 1] ?? '').trim().split(/\s+/);
    const get = (name: string) => Number(values[names.indexOf(name)] ?? Number.NaN);
    return { overflows: get('ListenOverflows'), drops: get('ListenDrops') };
  } catch {
    return { overflows: Number.NaN, drops: Number.NaN };
  }
}
