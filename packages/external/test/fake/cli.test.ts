import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FakeAgentListPage } from '../../src/fake/index.js';
import { fakeAgentId } from '../../src/fake/index.js';

const cli = fileURLToPath(new URL('../../src/fake/cli.ts', import.meta.url));

describe('fake-elevenlabs command', () => {
  it('starts standalone, prints its URL and serves agents until interrupted', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@perfkit/source',
        cli,
        '--',
        '--port',
        '0',
        '--latency',
        'none',
        '--agents',
        '3',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      expect(url).toBeDefined();
      const headers = { 'xi-api-key': 'fake-elevenlabs-key' };
      const list = (await (await fetch(`${url}/v1/convai/agents`, { headers })).json()) as FakeAgentListPage;
      expect(list.agents.map((a) => a.agent_id)).toEqual([0, 1, 2].map((i) => fakeAgentId(`agent-${i}`)));
    } finally {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
  });

  it('refuses a malformed latency with usage and exit code 2', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@perfkit/source', cli, '--latency', 'slow'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--latency must be none, fixed:MS or lognormal/);
  });
});
