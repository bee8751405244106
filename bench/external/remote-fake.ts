import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FakeElevenLabsSettings } from '@perfkit/external/fake';

/** The fake ElevenLabs server in a child process, configured over IPC. */
export interface RemoteFake {
  url: string;
  apiKey: string;
  configure(settings: FakeElevenLabsSettings): Promise<void>;
  close(): Promise<void>;
}

/** Forks `fake-process.ts` and waits for its URL. */
export async function startRemoteFake(): Promise<RemoteFake> {
  const child = fork(fileURLToPath(new URL('./fake-process.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--conditions=@perfkit/source'],
  });
  const [{ url, apiKey }] = (await once(child, 'message')) as [{ url: string; apiKey: string }];
  return {
    url,
    apiKey,
    async configure(settings) {
      child.send({ configure: settings });
      await once(child, 'message');
    },
    async close() {
      child.send({ close: true });
      await once(child, 'exit');
    },
  };
}
