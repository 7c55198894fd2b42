// The standings chart: a real PNG of a sensible size with CJK labels, and a readable fallback when
// the machine has no CJK font.
import { describe, expect, it } from 'vitest';
import { barChartSvg, findCjkFont, renderBarChart } from '../src/services/chart.js';

const input = { title: '2027年度综合排名', bars: [{ label: '东城街道工会', value: 62 }, { label: '西城街道工会', value: 60 }, { label: '高新园区工会', value: 0 }], unit: '分' };

function pngSize(png: Buffer) {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('bar chart', () => {
  it('renders a PNG whose height follows the number of bars', () => {
    const three = pngSize(renderBarChart(input));
    const twenty = pngSize(renderBarChart({ ...input, bars: Array.from({ length: 25 }, (_, i) => ({ label: `第${i + 1}街道工会`, value: 100 - i })) }));
    expect(three.width).toBeGreaterThan(600);
    expect(three.height).toBeGreaterThan(100);
    expect(twenty.width).toBe(three.width);
    // 10 bars at most (the chat's list has every unit), so a long list does not make an endless image.
    expect(twenty.height).toBeGreaterThan(three.height * 2);
    expect(twenty.height).toBeLessThan(1200);
  });

  it('stays legible at the width a phone shows it (about 300 px)', () => {
    const svg = barChartSvg({ ...input, title: '2027年度「示范区总工会」下属单位综合排名（前10名）' }, true);
    const width = Number(svg.match(/width="(\d+)"/)![1]);
    const smallest = Math.min(...[...svg.matchAll(/font-size="(\d+)"/g)].map((m) => Number(m[1])));
    // Shown 300 px wide, the smallest text is at least 11 px.
    expect((smallest * 300) / width).toBeGreaterThanOrEqual(11);
    // A long title wraps onto a second line instead of running off the picture; equal scores share a rank.
    expect(svg).toContain('>（前10名）</text>');
    const tied = barChartSvg({ ...input, bars: [{ label: '甲', value: 5, rank: 1 }, { label: '乙', value: 5, rank: 1 }] }, true);
    expect(tied.match(/>1\. /g)).toHaveLength(2);
  });

  it('draws the labels from the CJK font when there is one', () => {
    if (!findCjkFont()) return; // covered by the fallback test below
    const plain = renderBarChart({ ...input, bars: input.bars.map((b) => ({ ...b, label: '' })) });
    // Labels are drawn: the image with names carries more ink than the one without.
    expect(renderBarChart(input).length).toBeGreaterThan(plain.length);
  });

  it('falls back to rank numbers without a CJK font', () => {
    const svg = barChartSvg(input, false);
    expect(svg).toContain('No.1  62');
    expect(svg).not.toMatch(/[\u4e00-\u9fff]/);
  });
});
