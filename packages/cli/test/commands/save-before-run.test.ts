import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/program.js';
import { checkWritableFile } from '../../src/util/option-checks.js';
import { type LatencyServer, memoryIo, startLatencyServer } from '../helpers/latency-server.js';

describe('--save a file that cannot be written', () => {
  let server: LatencyServer;
  const dir = mkdtempSync(join(tmpdir(), 'perf-cli-save-'));
  const missing = join(dir, 'no-such-dir');
  const directory = join(dir, 'a-directory');
  mkdirSync(directory);
  beforeAll(async () => {
    server = await startLatencyServer();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused by loadtest and calibrate before any load is sent, exit 2', async () => {
    const cases: Array<[string, string]> = [
      [join(missing, 'x.json'), `cannot write ${join(missing, 'x.json')}: no directory ${missing}`],
      [directory, `cannot write ${directory}: it is a directory`],
    ];
    for (const command of ['loadtest', 'calibrate']) {
      for (const [save, message] of cases) {
        const run = memoryIo();
        const args = [command, '-t', `thing=${server.url}`, '--warmup', '0', '-d', '2s', '-r', '4'];
        expect(await runCli([...args, '--no-progress', '--save', save], run.io), `${command} ${save}`).toBe(
          2,
        );
        expect(run.stderr()).toBe(`perf-cli: ${message}\n`);
      }
    }
    expect(server.requests()).toBe(0);
  });

  it('is a PERFKIT_CLI_FILE_UNWRITABLE error, not the code of a file that cannot be read', () => {
    expect(() => checkWritableFile(directory)).toThrow(
      expect.objectContaining({ code: 'PERFKIT_CLI_FILE_UNWRITABLE', exitCode: 2 }),
    );
  });
});
