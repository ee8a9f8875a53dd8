/**
 * A loopback TCP proxy for liveness tests. `freeze()` stops forwarding bytes on every connection
 * open at that moment while keeping both sockets open: to client and server the connection
 * looks alive but nothing gets through, which is what a socket looks like after a laptop slept
 * or the network changed under it. Connections accepted after the freeze pass normally (the
 * network is back; only the old flows are dead), unless `freeze({ newConnections: true })` asks
 * for those to hang too (the network is not back yet). `thaw()` delivers what was held and forwards
 * again. Close and end are held while frozen too: a dead flow carries no FIN either.
 */
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  frozen: boolean;
  /** bytes held while frozen, per direction */
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
  /** a side closed while frozen */
  closedWhileFrozen: boolean;
}

export interface TcpProxy {
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  /** connections accepted so far */
  readonly accepted: number;
  /** connections currently open */
  readonly open: number;
  /** stop forwarding on every open connection (keep them open); with `newConnections`, on new ones too */
  freeze(options?: { newConnections?: boolean }): void;
  /** deliver held bytes and forward again */
  thaw(): void;
  /** destroy every connection and stop listening */
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards to `target`. */
export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  let freezeNew = false;

  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    const pair: Pair = { client, upstream, frozen: freezeNew, held: { toUpstream: [], toClient: [] }, closedWhileFrozen: false };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const forward = (to: net.Socket, queue: Buffer[]) => (chunk: Buffer) => {
      if (pair.frozen) queue.push(chunk);
      else to.write(chunk);
    };
    client.on('data', forward(upstream, pair.held.toUpstream));
    upstream.on('data', forward(client, pair.held.toClient));
    const teardown = () => {
      if (pair.frozen) {
        pair.closedWhileFrozen = true;
        return;
      }
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const s of [client, upstream]) {
      s.on('error', () => undefined); // a reset on either side just ends the pair
      s.on('close', teardown);
      s.on('end', teardown);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    freeze(options) {
      freezeNew = options?.newConnections ?? false;
      for (const p of pairs) p.frozen = true;
    },
    thaw() {
      freezeNew = false;
      for (const p of [...pairs]) {
        if (!p.frozen) continue;
        p.frozen = false;
        for (const chunk of p.held.toUpstream.splice(0)) p.upstream.write(chunk);
        for (const chunk of p.held.toClient.splice(0)) p.client.write(chunk);
        if (p.closedWhileFrozen) {
          p.client.destroy();
          p.upstream.destroy();
          pairs.delete(p);
        }
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
