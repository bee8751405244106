/**
 * An error the API answers with: an HTTP status, a stable `code` and a
 * message safe to show to the client. Anything else is a 500 whose details
 * stay in the log.
 *
 * @example
 * throw new HttpError(404, 'agent_not_found', 'No agent with id 42');
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Bad configuration found at start-up; the message lists every problem.
 *
 * @example
 * throw new ConfigError(['PORT must be an integer from 0 to 65535, got "abc"']);
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'APP_CONFIG_INVALID';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
