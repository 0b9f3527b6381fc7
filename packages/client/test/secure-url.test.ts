// Which hosts count as loopback, how paths resolve under the base URL, and what of a URL errors and events show.

import { describe, expect, it } from 'vitest';
import { eventUrl, isLoopback, resolveUrl, showOrigin } from '../src/secure-url.js';

describe('isLoopback', () => {
  it.each([
    ['localhost', true],
    ['api.localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['10.0.0.1', false],
    ['[::2]', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('sees through the URL parser normalising other IPv4 spellings', () => {
    expect(isLoopback(new URL('http://0x7f.1/').hostname)).toBe(true);
    expect(isLoopback(new URL('http://2130706433/').hostname)).toBe(true);
  });
});

describe('resolveUrl', () => {
  const base = new URL('https://api.example.com/v2');
  it.each([
    ['/lookup', 'https://api.example.com/v2/lookup'],
    ['lookup?q=1', 'https://api.example.com/v2/lookup?q=1'],
    ['//evil.example/x', 'https://api.example.com/v2/evil.example/x'],
    ['https://other.example.com/x', 'https://other.example.com/x'],
  ])('%s → %s', (input, expected) => {
    expect(resolveUrl(input, base).href).toBe(expected);
  });
});

describe('what a URL shows', () => {
  it('errors show the origin; events the origin and path; neither the query nor credentials', () => {
    const url = new URL('https://user:pw@api.example.com:8443/v1/x?api_key=secret#frag');
    expect(showOrigin(url)).toBe('https://api.example.com:8443');
    expect(eventUrl(url)).toBe('https://api.example.com:8443/v1/x');
    expect(showOrigin(new URL('data:text/plain,secret'))).toBe('data:');
  });
});
