/**
 * Summarizes a V8 .cpuprofile (written by `node --cpu-prof`): self time per function and per
 * origin (the server's code, each npm package, Node internals, GC), so RESULTS.md can say what
 * limits a figure with evidence instead of a guess.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileShare {
  name: string;
  /** ms of self time (CPU profile) or bytes alive (heap sampling) */
  value: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** share of samples where the main thread was idle (waiting for I/O) */
  idlePct: number;
  functions: ProfileShare[];
  origins: ProfileShare[];
}

/** Where a frame's code comes from: an npm package, the repo's own folder, Node, or V8 itself. */
export function originOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return functionName;
    return 'V8/native';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(server|client|bench)\/([^/]+)/.exec(url);
  if (own?.[1]) return `${own[1]}/${own[2] ?? ''}`;
  return url.replace(/^file:\/\//, '');
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(server|client)\//, '$1/');
  // Files loaded through tsx report line 1 (no source map in the profile): the name says enough.
  const line = frame.url.endsWith('.ts') ? '' : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${file ? `${file.split('/').slice(-2).join('/')}${line}` : ''}`.trim();
}

/** The `n` largest entries with their share of `total`; values divided by `unit`. */
function top(map: Map<string, number>, total: number, n: number, unit = 1): ProfileShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, v]) => ({ name, value: v / unit, pct: (100 * v) / total }));
}

/** Self time by function (top `n`) and by origin, in % of the profile's busy + idle time. */
export function summarizeProfile(source: unknown, n = 15): ProfileSummary {
  // A path to a .cpuprofile file, or the profile object the inspector returned.
  const profile = (typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) : source) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i] as number);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame) continue;
    total += us;
    const origin = originOf(frame);
    if (origin === '(idle)') {
      idle += us;
      continue;
    }
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
    const key = label(frame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return {
    totalMs: total / 1000,
    idlePct: total ? (100 * idle) / total : 0,
    functions: top(byFunction, total || 1, n, 1000),
    origins: top(byOrigin, total || 1, n, 1000),
  };
}

/** Text lines for RESULTS.md. */
export function renderProfile(s: ProfileSummary): string[] {
  const lines = [`profile ${s.totalMs.toFixed(0)} ms, idle ${s.idlePct.toFixed(1)} %`, '', 'self time by origin:'];
  for (const o of s.origins) lines.push(`  ${o.pct.toFixed(1).padStart(5)} %  ${o.name}`);
  lines.push('', 'self time by function:');
  for (const f of s.functions) lines.push(`  ${f.pct.toFixed(1).padStart(5)} %  ${f.name}`);
  return lines;
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/**
 * A sampling heap profile (HeapProfiler.stopSampling): bytes still alive by the code that
 * allocated them, by origin and by function (top `n`).
 */
export function summarizeHeapSampling(source: unknown, n = 12): { totalBytes: number; origins: ProfileShare[]; functions: ProfileShare[] } {
  const head = (source as { head: HeapNode }).head;
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const stack: HeapNode[] = [head];
  for (let guard = 0; stack.length > 0 && guard < 5_000_000; guard++) {
    const node = stack.pop() as HeapNode;
    for (const child of node.children) stack.push(child);
    if (node.selfSize <= 0) continue;
    total += node.selfSize;
    const origin = originOf(node.callFrame);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + node.selfSize);
    const key = label(node.callFrame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
  }
  return { totalBytes: total, origins: top(byOrigin, total || 1, n), functions: top(byFunction, total || 1, n) };
}

/** Text lines for a heap sampling summary, `per` = what to divide by (e.g. connections). */
export function renderHeapSampling(s: ReturnType<typeof summarizeHeapSampling>, per: number, perLabel: string): string[] {
  const kb = (b: number) => `${(b / per / 1024).toFixed(2).padStart(6)} KB/${perLabel}`;
  const lines = [`live bytes allocated in the window: ${(s.totalBytes / 2 ** 20).toFixed(1)} MiB = ${kb(s.totalBytes).trim()}`, '', 'by origin:'];
  for (const o of s.origins) lines.push(`  ${o.pct.toFixed(1).padStart(5)} %  ${kb(o.value)}  ${o.name}`);
  lines.push('', 'by allocating function:');
  for (const f of s.functions) lines.push(`  ${f.pct.toFixed(1).padStart(5)} %  ${kb(f.value)}  ${f.name}`);
  return lines;
}
