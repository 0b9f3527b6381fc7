// A real HTTP receiver for webhook tests: records each request and answers as the test scripts it.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The raw body bytes. */
  readonly body: Buffer;
  /** When it arrived, by `Date.now()`. */
  readonly receivedAt: number;
}

/** How to answer the n-th request (from 1): a status, a status with headers, or never. */
export type Answer = number | { status: number; headers?: Record<string, string> } | 'hang';

export interface TestReceiver {
  /** `http://<host>:<port>` (127.0.0.1 unless another host was asked for): append a path. */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Resolves when `count` requests have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (n: number, req: ReceivedRequest) => Answer = () => 204,
  /** Another loopback address or name to listen on (127.0.0.2, localhost). */
  host = '127.0.0.1',
) {
  const requests: ReceivedRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        receivedAt: Date.now(),
      };
      requests.push(received);
      for (const w of waiters.filter((x) => requests.length >= x.count)) w.resolve();
      const a = answer(requests.length, received);
      if (a === 'hang') return;
      const { status, headers } = typeof a === 'number' ? { status: a, headers: {} } : a;
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: TestReceiver = {
    origin: `http://${host}:${port}`,
    requests,
    waitFor: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
