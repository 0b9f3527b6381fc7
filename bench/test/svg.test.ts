// The benchmark charts: well-formed SVG whatever the numbers and labels.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module of the benchmarks, without type declarations.
import { barChart, escapeXml, lineChart, niceMax } from '../lib/svg.mjs';

/** Balanced tags and no raw `<` or `&` in text: what an XML parser needs. */
function wellFormed(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self === '/') continue;
    if (close === '/') {
      if (stack.pop() !== name) return false;
    } else stack.push(name as string);
  }
  const text = svg.replace(/<[^>]*>/g, '');
  return stack.length === 0 && !/&(?!(lt|gt|amp|quot|apos);)/.test(text) && !text.includes('<');
}

describe('svg charts', () => {
  it('niceMax gives a 1-2-5 bound at or above the maximum', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e12, noNaN: true }), (max) => {
        const m = niceMax(max);
        const mantissa = m / 10 ** Math.floor(Math.log10(m) + 1e-9);
        return m >= max && m < max * 10 + 1e-9 && [1, 2, 5, 10].some((s) => Math.abs(mantissa - s) < 1e-6);
      }),
    );
  });

  it('a bar chart is well-formed for any labels and values, and shows each bar', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.string(), fc.double({ min: 0, max: 1e9, noNaN: true })), {
          minLength: 1,
          maxLength: 5,
        }),
        (series, groups) => {
          const svg = barChart({
            title: 'A <title> & more',
            unit: 'ops/s',
            series,
            groups: groups.map(([label, v]) => ({ label, values: series.map(() => v) })),
          });
          return (
            wellFormed(svg) && (svg.match(/<rect [^>]*fill="#(?!ffffff)/g) ?? []).length >= groups.length
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a line chart is well-formed and draws one polyline per series', () => {
    const svg = lineChart({
      title: 'ns per check',
      xLabel: 'keys',
      yLabel: 'ns',
      series: [
        {
          label: 'keys',
          points: [
            [10, 900],
            [1000, 950],
            [100000, 1010],
          ],
        },
        {
          label: 'patterns "x"',
          points: [
            [1, 500],
            [1000, 2400],
          ],
        },
      ],
    });
    expect(wellFormed(svg)).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('patterns &quot;x&quot;');
  });

  it('escapes every XML special character', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
