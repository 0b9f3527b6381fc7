// A TCP proxy in front of Redis that can turn its open connections into black holes, as a lost NAT or firewall entry does.

import * as net from 'node:net';

/** A loopback proxy to one Redis. */
export interface BlackholeProxy {
  readonly port: number;
  readonly url: string;
  /**
   * From now on, every connection already open stays open but carries nothing either way,
   * for good: neither side sees a close or an error. Connections opened later work.
   */
  blackholeOpenConnections(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  // Pairs still forwarding, and every socket (black holes included), to destroy on close.
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    const pair = { client, upstream };
    pairs.add(pair);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      pairs.delete(pair);
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        url: `redis://127.0.0.1:${port}`,
        blackholeOpenConnections() {
          for (const { client, upstream } of pairs) {
            client.unpipe(upstream);
            upstream.unpipe(client);
            // Keep reading so nothing backs up, and forward none of it.
            client.on('data', () => {});
            upstream.on('data', () => {});
          }
          pairs.clear();
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}
