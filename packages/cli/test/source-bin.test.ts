import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../src/index.js';
import { buildReport } from './helpers/report-builder.js';

const packageDir = join(import.meta.dirname, '..');
const script: string = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).scripts['perf-cli'];

describe('the from-source perf-cli script', () => {
  const caller = mkdtempSync(join(tmpdir(), 'perf-cli-caller-'));
  afterAll(() => rmSync(caller, { recursive: true, force: true }));

  it('resolves relative paths against the directory pnpm was run in (INIT_CWD), not packages/cli', () => {
    writeReport(join(caller, 'base.json'), buildReport([20]));
    // What `pnpm --filter @perfkit/cli run perf-cli -- report base.json --html report.html` runs:
    // the script in the package's directory, the arguments after it, INIT_CWD the caller's.
    const run = spawnSync(
      'sh',
      ['-c', `${script} "$@"`, 'sh', '--', 'report', 'base.json', '--html', 'report.html'],
      {
        cwd: packageDir,
        env: {
          ...process.env,
          INIT_CWD: caller,
          PATH: `${join(packageDir, '../../node_modules/.bin')}:${process.env.PATH}`,
        },
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('wrote report.html\n');
    expect(run.status).toBe(0);
    expect(readFileSync(join(caller, 'report.html'), 'utf8')).toContain('<html');
    expect(existsSync(join(packageDir, 'report.html'))).toBe(false);
  });
});
