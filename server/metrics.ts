/** Prometheus metrics (prom-client), one registry per server instance. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** Creates the registry and the server's metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    connections: new Gauge({ name: 'herenow_connections', help: 'Live Socket.IO connections on this node', registers: [registry] }),
    events: new Counter({
      name: 'herenow_events_total',
      help: 'Client events handled, by event name and outcome (ok or an error code)',
      labelNames: ['event', 'outcome'] as const,
      registers: [registry],
    }),
    heartbeatSeconds: new Histogram({
      name: 'herenow_heartbeat_seconds',
      help: 'Time to handle one presence:heartbeat, store round trip included',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    broadcastSeconds: new Histogram({
      name: 'herenow_broadcast_seconds',
      help: 'Time of one stats broadcast tick (store read and emits)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'herenow_store_errors_total',
      help: 'Store operations that failed unexpectedly (the store was unreachable or broken)',
      labelNames: ['op'] as const,
      registers: [registry],
    }),
    stats: new Gauge({
      name: 'herenow_stats',
      help: 'The live numbers as last broadcast by this node',
      labelNames: ['stat'] as const,
      registers: [registry],
    }),
    reapedNodes: new Counter({ name: 'herenow_reaped_nodes_total', help: 'Dead nodes whose connections this node took offline', registers: [registry] }),
    repairs: new Counter({
      name: 'herenow_repairs_total',
      help: 'Connections re-registered (added) or removed (removed) by self-repair; zero when healthy',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    sessionsCreated: new Counter({ name: 'herenow_guest_sessions_created_total', help: 'Guest sessions created', registers: [registry] }),
    sessionsRestored: new Counter({
      name: 'herenow_sessions_restored_total',
      help: 'Sessions the store had lost (empty Redis restart) written back from a valid token',
      registers: [registry],
    }),
  };
  return m;
}
