// A TCP proxy that holds back what the server sends, to make answers late after Redis has run the command.

import * as net from 'node:net';

/** A proxy on a loopback port; `delayMs` may be changed while it runs. */
export interface DelayProxy {
  readonly port: number;
  delayMs: number;
  close(): Promise<void>;
}

/**
 * Forwards every connection to `upstreamPort`: what the client sends goes through at once, what
 * the server sends is held `delayMs` (in order) before it reaches the client.
 */
export function startDelayProxy(upstreamPort: number, delayMs = 0): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      // The same delay for every chunk keeps them in order.
      setTimeout(() => client.writable && client.write(chunk), proxy.delayMs);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  const proxy: DelayProxy = {
    port: 0,
    delayMs,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      (proxy as { port: number }).port = (server.address() as net.AddressInfo).port;
      resolve(proxy);
    });
  });
}
