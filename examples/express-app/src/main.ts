import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { startServer } from './server.js';

try {
  const config = loadConfig(process.env);
  const app = await startServer(config);
  console.log(
    `perfkit example app (MODE=${config.mode}) listening on ${app.url}` +
      (config.elevenLabsBaseUrl ? '' : ` — fake ElevenLabs in-process at ${app.elevenLabs.baseUrl}`),
  );
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Cannot start: ${(error as Error).message}`);
  process.exit(1);
}
