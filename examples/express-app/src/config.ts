import { DEFAULT_DATABASE_URL } from '@perfkit/queries';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { MODES, type Mode } from './modes/modes.js';

/** The app's configuration, read from the environment once at start-up. */
export interface AppConfig {
  /** `DATABASE_URL`. Default: {@link DEFAULT_DATABASE_URL}. */
  databaseUrl: string;
  /** `PORT`. Default: 3000 (0 picks a free port). */
  port: number;
  /** `MODE`: `naive` or `optimized`. Default: `naive`. */
  mode: Mode;
  /** `ELEVENLABS_BASE_URL`; unset starts the fake ElevenLabs in-process. */
  elevenLabsBaseUrl: string | undefined;
  /** `ELEVENLABS_API_KEY`; required with `ELEVENLABS_BASE_URL`, else the fake's key. */
  elevenLabsApiKey: string | undefined;
  /** `NOW` (ISO timestamp): a fixed "now" for the APIs. Default: the wall clock. */
  now: Date | undefined;
  /** `LOG_LEVEL`. Default: `info`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const urlWithScheme = (schemes: string[]) =>
  z.url().refine((value) => schemes.includes(new URL(value).protocol), {
    message: `must be a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`,
  });

const envSchema = z.object({
  DATABASE_URL: urlWithScheme(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'must be an integer from 0 to 65535')
    .transform(Number)
    .pipe(z.number().max(65_535, 'must be an integer from 0 to 65535'))
    .default(3000),
  MODE: z.enum(Object.keys(MODES) as [Mode, ...Mode[]]).default('naive'),
  ELEVENLABS_BASE_URL: urlWithScheme(['http:', 'https:'])
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  NOW: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * Reads and validates the configuration; every problem is reported at once
 * in a {@link ConfigError}. Empty variables count as unset.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(set);
  const problems = (parsed.error?.issues ?? []).map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const value = set[name];
    return `${name} ${issue.message}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`;
  });
  if (set.ELEVENLABS_BASE_URL !== undefined && set.ELEVENLABS_API_KEY === undefined) {
    problems.push('ELEVENLABS_API_KEY is required when ELEVENLABS_BASE_URL is set');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env_ = parsed.data;
  return {
    databaseUrl: env_.DATABASE_URL,
    port: env_.PORT,
    mode: env_.MODE,
    elevenLabsBaseUrl: env_.ELEVENLABS_BASE_URL,
    elevenLabsApiKey: env_.ELEVENLABS_API_KEY,
    now: env_.NOW,
    logLevel: env_.LOG_LEVEL,
  };
}
