/** Shapes of the bench's results: what every figure returns and what the report writes. */

/**
 * met / missed: measured against the target. partial: measured, but not at the size the target
 * names (quick mode, a skipped size). not-implemented: the server lacks the feature, reported
 * instead of faked. error: the figure failed; its message is in `error`.
 */
export type Verdict = 'met' | 'missed' | 'partial' | 'not-implemented' | 'not-applicable' | 'error';

export type Cell = string | number | null;

export interface Table {
  caption?: string;
  columns: string[];
  rows: Cell[][];
}

/** A preformatted block (histograms, profiles) shown as code in RESULTS.md. */
export interface Block {
  caption: string;
  lines: string[];
}

export interface FigureResult {
  id: number;
  title: string;
  /** the unit(s) of the figure's numbers */
  unit: string;
  /** the target as the issue states it */
  target: string;
  verdict: Verdict;
  /** why met/missed: by how much, what limits it */
  verdictNote: string;
  /** how it was measured: settings, sizes, what each number means */
  method: string[];
  tables: Table[];
  blocks: Block[];
  notes: string[];
  /** raw numbers for results.json */
  data: Record<string, unknown>;
  durationMs: number;
  error?: string;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
  /** `ulimit -n` of the bench (its children inherit it) */
  fdLimit: number;
  /** 1-minute load average when the run started and when it ended (other work on the machine shows here) */
  loadAvg: { start: number; end: number };
}

export interface BenchResults {
  date: string;
  command: string;
  mode: 'full' | 'quick';
  machine: MachineInfo;
  /** the store every figure ran against, and why */
  store: { kind: 'redis' | 'memory'; note: string };
  durationMs: number;
  figures: FigureResult[];
  notes: string[];
}

/** A fresh result with the identity fields set; figures fill the rest. */
export function emptyFigure(id: number, title: string, unit: string, target: string): FigureResult {
  return {
    id,
    title,
    unit,
    target,
    verdict: 'error',
    verdictNote: '',
    method: [],
    tables: [],
    blocks: [],
    notes: [],
    data: {},
    durationMs: 0,
  };
}
