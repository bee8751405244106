import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('works on a fresh machine with nothing set', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: DEFAULT_DATABASE_URL,
      port: 3000,
      mode: 'naive',
      elevenLabsBaseUrl: undefined,
      elevenLabsApiKey: undefined,
      now: undefined,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@db:5432/platform',
      PORT: '0',
      MODE: 'optimized',
      ELEVENLABS_BASE_URL: 'https://api.elevenlabs.io/',
      ELEVENLABS_API_KEY: 'sk',
      NOW: '2026-11-01T15:00:00Z',
      LOG_LEVEL: 'silent',
    });

    expect(config).toMatchObject({
      port: 0,
      mode: 'optimized',
      elevenLabsBaseUrl: 'https://api.elevenlabs.io',
    });
    expect(config.now?.toISOString()).toBe('2026-11-01T15:00:00.000Z');
  });

  it('reports every bad variable at once, by name and value', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MODE: 'fast',
      DATABASE_URL: 'mysql://x/y',
      NOW: 'yesterday',
    });

    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT .*"eighty"/);
    expect(problems.join('\n')).toMatch(/MODE .*"fast"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL .*postgres/);
    expect(problems.join('\n')).toMatch(/NOW /);
  });

  it('refuses a port out of range', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual([expect.stringMatching(/^PORT /)]);
  });

  it('requires ELEVENLABS_API_KEY with ELEVENLABS_BASE_URL', () => {
    expect(problemsOf({ ELEVENLABS_BASE_URL: 'http://127.0.0.1:9000' })).toEqual([
      'ELEVENLABS_API_KEY is required when ELEVENLABS_BASE_URL is set',
    ]);
  });
});
