// A real SMTP server on a free loopback port that keeps every message it accepts, and can refuse on cue.

import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the server received it. */
export interface ReceivedMail {
  /** The envelope: MAIL FROM and RCPT TO. */
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded text/plain part. */
  readonly text: string;
  /** The decoded text/html part. */
  readonly html: string;
  readonly raw: string;
}

export interface SmtpBehaviour {
  /** An error to refuse a recipient with (RCPT TO), or undefined to accept it. */
  rcpt?: (address: string) => { code: number; message: string } | undefined;
  /** An error to refuse the n-th message (from 1) with after DATA, or undefined to accept it. */
  data?: (n: number) => { code: number; message: string } | undefined;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly mails: ReceivedMail[];
  /** nodemailer SMTP options for this server: plain SMTP on loopback, no TLS. */
  readonly transport: { host: string; port: number; secure: false; ignoreTLS: true };
  close(): Promise<void>;
}

export async function startSmtpServer(behaviour: SmtpBehaviour = {}): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  let dataCount = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = behaviour.rcpt?.(address.address);
      callback(refusal === undefined ? null : smtpError(refusal));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        dataCount++;
        const refusal = behaviour.data?.(dataCount);
        if (refusal !== undefined) {
          callback(smtpError(refusal));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        mails.push({
          ...parseMail(raw),
          raw,
          mailFrom: from === false ? '' : from.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    transport: { host: '127.0.0.1', port, secure: false, ignoreTLS: true },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function smtpError({ code, message }: { code: number; message: string }): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Just enough MIME for our own messages: headers, and the text and HTML parts of a multipart/alternative. */
function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'text' | 'html'> {
  const { headers, body } = splitHeaders(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts =
    boundary === undefined
      ? [{ headers, body }]
      : body
          .split(`--${boundary}`)
          .slice(1, -1)
          .map((p) => splitHeaders(p.replace(/^\r\n/, '')));
  const part = (mime: string) => {
    const p = parts.find((x) => (x.headers.get('content-type') ?? 'text/plain').startsWith(mime));
    return p === undefined ? '' : decode(p.body, p.headers.get('content-transfer-encoding') ?? '7bit');
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

function decode(body: string, encoding: string): string {
  const e = encoding.toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n').trimEnd();
  }
  return body.replace(/\r\n/g, '\n').trimEnd();
}
