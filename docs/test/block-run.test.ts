// Tests for reading a run block's probes: the marker's probe list and the docs' curl lines.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProbes, probeFromCurl } from './block-run.js';
import { shellCommands } from './shell-commands.js';

const curl = (line: string) => probeFromCurl(shellCommands(line)[0] as never, 'x.md:2');

describe('parseProbes', () => {
  it('reads method, port, path, key, status and code', () => {
    expect(parseProbes('GET /v1/lookup 401 missing_key; POST :9464/metrics?a=1 sk_x 200', 'x.md:1')).toEqual([
      {
        method: 'GET',
        port: undefined,
        path: '/v1/lookup',
        headers: {},
        status: 401,
        code: 'missing_key',
        source: 'x.md:1',
      },
      {
        method: 'POST',
        port: 9464,
        path: '/metrics?a=1',
        headers: { 'x-api-key': 'sk_x' },
        status: 200,
        code: undefined,
        source: 'x.md:1',
      },
    ]);
  });

  it.each(['get / 200', 'GET / 20', 'GET lookup 200', 'GET / k 200 code extra', 'GET'])(
    'refuses %s',
    (text) => {
      expect(() => parseProbes(text, 'x.md:1')).toThrow(/x\.md:1: /);
    },
  );

  it('reads back every probe written in its grammar (property)', () => {
    const probe = fc.record({
      method: fc.constantFrom('GET', 'POST', 'HEAD'),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.stringMatching(/^\/[a-z0-9/?=&-]{0,20}$/),
      key: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{2,20}$/), { nil: undefined }),
      status: fc.integer({ min: 100, max: 599 }),
      code: fc.option(fc.stringMatching(/^[a-z]+_[a-z]+$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(probe, { minLength: 1, maxLength: 4 }), (probes) => {
        const text = probes
          .map((p) =>
            [p.method, `${p.port === undefined ? '' : `:${p.port}`}${p.path}`, p.key, p.status, p.code]
              .filter((t) => t !== undefined)
              .join(' '),
          )
          .join('; ');
        expect(parseProbes(text, 's')).toEqual(
          probes.map((p) => ({
            method: p.method,
            port: p.port,
            path: p.path,
            headers: p.key === undefined ? {} : { 'x-api-key': p.key },
            status: p.status,
            code: p.code,
            source: 's',
          })),
        );
      }),
    );
  });
});

describe('probeFromCurl', () => {
  it('reads the docs curl lines', () => {
    expect(curl('curl -i http://127.0.0.1:3000/v1/lookup   # 401 missing_key')).toMatchObject({
      method: 'GET',
      port: 3000,
      path: '/v1/lookup',
      headers: {},
      status: 401,
      code: 'missing_key',
    });
    expect(
      curl(
        "curl -i -H 'X-Api-Key: sk_test_backend_8d2b6e04a1' http://127.0.0.1:3000/v1/lookup # 200, RateLimit headers",
      ),
    ).toMatchObject({ headers: { 'x-api-key': 'sk_test_backend_8d2b6e04a1' }, status: 200, code: undefined });
    expect(curl("curl -s -X POST -d '{}' http://localhost:8080/ # 401")).toMatchObject({
      method: 'POST',
      port: 8080,
    });
    expect(curl('curl -i http://127.0.0.1:3000/health # 200, not checked')).toMatchObject({
      status: 200,
      code: undefined,
    });
  });

  it.each([
    ['curl -i http://127.0.0.1:3000/v1/lookup', /say the status/],
    ['curl --compressed http://127.0.0.1:3000/ # 200', /does not know curl's --compressed/],
    ['curl https://api.example.com/ # 200', /must call http:\/\/127\.0\.0\.1/],
    ['curl -H nocolon http://127.0.0.1:3000/ # 200', /cannot read the header/],
  ])('refuses %s', (line, message) => {
    expect(() => curl(line)).toThrow(message);
  });
});
