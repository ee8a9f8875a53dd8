/**
 * HTTP from the bench: a keep-alive GET (so a latency sample is one request on a warm connection,
 * not a TCP handshake) and a /metrics scrape parsed from the Prometheus text format.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** GET `url`; resolves status, body and the time from request to the last body byte (ms). */
export function get(url: string, timeoutMs = 10_000): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** GET and JSON.parse, failing on a non-2xx status. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await get(url);
  if (res.status < 200 || res.status >= 300) throw new Error(`GET ${url}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as T;
}

/**
 * Scrapes /metrics: every sample line as `name` (or `name{labels}`) -> value. Note that
 * prom-client resets its event-loop delay histogram on every scrape, so the lag percentiles of a
 * scrape cover the time since the previous one: scrape once to open a window, once to close it.
 */
export async function scrape(baseUrl: string): Promise<Map<string, number>> {
  const res = await get(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(res.body);
}

/** Parses the Prometheus text format's sample lines. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space <= 0) continue;
    const value = Number(line.slice(space + 1));
    if (!Number.isNaN(value)) out.set(line.slice(0, space), value);
  }
  return out;
}

/** Mean duration (ms) of the server's broadcast ticks (herenow_broadcast_seconds) between two scrapes. */
export function meanTickMs(a: Map<string, number>, b: Map<string, number>): number {
  const n = (b.get('herenow_broadcast_seconds_count') ?? 0) - (a.get('herenow_broadcast_seconds_count') ?? 0);
  const sum = (b.get('herenow_broadcast_seconds_sum') ?? 0) - (a.get('herenow_broadcast_seconds_sum') ?? 0);
  return n > 0 ? (1000 * sum) / n : Number.NaN;
}

/** GC pauses in the server between two scrapes (all kinds): how many, and their mean duration in ms. */
export function gcBetween(a: Map<string, number>, b: Map<string, number>): { count: number; meanMs: number } {
  const total = (m: Map<string, number>, suffix: string) => {
    let sum = 0;
    for (const [k, v] of m) if (k.startsWith(`nodejs_gc_duration_seconds${suffix}`)) sum += v;
    return sum;
  };
  const count = total(b, '_count') - total(a, '_count');
  const seconds = total(b, '_sum') - total(a, '_sum');
  return { count, meanMs: count > 0 ? (1000 * seconds) / count : 0 };
}

/** Closes idle keep-alive sockets (so the bench process can exit promptly). */
export function closeHttp(): void {
  agent.destroy();
}
