// A raw HTTP client for tests: node:http, so every header (even repeated or forged ones) is sent as given.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method?: string;
  /** Header pairs; a name may repeat to send the header twice. */
  headers?: readonly (readonly [string, string])[];
  /** Local address to connect from (e.g. another 127.0.0.x loopback address). */
  localAddress?: string;
}

/** Sends one request to `base + path` and reads the whole response. */
export function request(base: string, path: string, options: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        // The path as given, so a test can send what URL parsing would change (a `#`, say).
        path: path.startsWith('/') ? path : url.pathname + url.search,
        method: options.method ?? 'GET',
        // Raw header arrays skip Node's automatic Host header, which HTTP/1.1 requires.
        headers: [['Host', url.host], ...(options.headers ?? [])].flat() as string[],
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Starts a Node HTTP server on a free loopback port; resolves to its base URL and a closer. */
export async function listen(server: http.Server): Promise<{ base: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
