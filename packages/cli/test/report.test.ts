import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport, writeReport } from '../src/index.js';
import { runCli } from '../src/program.js';
import { memoryIo } from './helpers/latency-server.js';
import { buildReport, noisy } from './helpers/report-builder.js';

describe('perf-cli report --html', () => {
  it('renders one self-contained page with baseline and current overlaid on a log-scaled percentile axis', () => {
    const html = renderHtmlReport(buildReport(noisy(30, 6, 0.05)), buildReport(noisy(20, 6, 0.05)));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
    expect(html.match(/<svg/g)).toHaveLength(1);
    expect(html.match(/<polyline/g)).toHaveLength(2);
    expect(html).toContain('<title>baseline</title>');
    expect(html).toContain('<title>current</title>');
    expect(html).toContain('percentile (log scale)');
    for (const tick of ['>90%<', '>99%<']) expect(html).toContain(tick);
    expect(html).toContain('Gate: regression');
  });

  it('places 90, 99 and 99.9 at equal distances on the percentile axis', () => {
    const html = renderHtmlReport(buildReport(noisy(20, 6, 0.05)));
    const tickX = (label: string) =>
      Number(new RegExp(`<text x="([\\d.]+)"[^>]*>${label.replace('.', '\\.')}</text>`).exec(html)?.[1]);
    const [x90, x99, x999] = [tickX('90%'), tickX('99%'), tickX('99.9%')];
    expect(x99 - x90).toBeGreaterThan(0);
    expect(x999 - x99).toBeCloseTo(x99 - x90, 5);
  });

  it('writes the page to a file from the command line, and the tables without --html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-report-'));
    writeReport(join(dir, 'base.json'), buildReport(noisy(20, 6, 0.05)));
    writeReport(join(dir, 'current.json'), buildReport(noisy(20, 6, 0.05, 3)));
    const run = memoryIo();
    const out = join(dir, 'report.html');
    expect(
      await runCli(
        ['report', join(dir, 'current.json'), '--baseline', join(dir, 'base.json'), '--html', out],
        run.io,
      ),
    ).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('<svg');
    const text = memoryIo();
    expect(
      await runCli(['report', join(dir, 'current.json'), '--baseline', join(dir, 'base.json')], text.io),
    ).toBe(0);
    expect(text.stdout()).toContain('verdict: pass');
    rmSync(dir, { recursive: true, force: true });
  });

  it("judges the baseline with compare's gate options, so it shows the verdict compare gives", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perf-cli-report-'));
    writeReport(join(dir, 'base.json'), buildReport(noisy(20, 6, 0.05)));
    writeReport(join(dir, 'current.json'), buildReport(noisy(30, 6, 0.05, 3)));
    const files = [join(dir, 'current.json'), '--baseline', join(dir, 'base.json')];
    const tolerant = memoryIo();
    await runCli(['report', ...files, '--min-effect', '1'], tolerant.io);
    const html = memoryIo();
    await runCli(['report', ...files, '--metric', 'p90', '--html'], html.io);
    rmSync(dir, { recursive: true, force: true });

    // +50 % is a regression at the default minimum effect, not at 100 %.
    expect(tolerant.stdout()).toContain('verdict: pass');
    expect(html.stdout()).toMatch(/<td>p90<\/td>/);
    expect(html.stdout()).not.toMatch(/<td>p50<\/td>/);
  });
});
