import type { FakeElevenLabsSettings } from '@perfkit/external/fake';
import { startFakeElevenLabs } from '@perfkit/external/fake';

// Runs the fake in its own process, as ElevenLabs would be: its work must not share the client's event loop.
const fake = await startFakeElevenLabs();
process.send?.({ url: fake.url, apiKey: fake.apiKey });
process.on('message', (message: { configure?: FakeElevenLabsSettings; close?: true }) => {
  if (message.configure) {
    fake.configure(message.configure);
    process.send?.({ configured: true });
  }
  if (message.close) void fake.close().then(() => process.exit(0));
});
