import { TEST_DATABASE_URL } from '@perfkit/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toHttpError } from '../src/error-handler.js';

describe('toHttpError', () => {
  it('answers a query on a connection the server has closed with 503 unavailable, not 500', async () => {
    // What a pooled client checked out just as its backend was killed throws on its next query.
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    // pg reports the loss as 'error' events (the server's message, then the closed socket).
    const lost = new Promise((resolve) => client.on('error', resolve));
    const killer = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await killer.connect();
    try {
      await killer.query('SELECT pg_terminate_backend($1)', [
        (client as unknown as { processID: number }).processID,
      ]);
      await lost;
      const error = await client.query('SELECT 1').catch((thrown: unknown) => thrown);

      expect((error as Error).message).toMatch(/not queryable/);
      expect(toHttpError(error)).toMatchObject({ status: 503, code: 'unavailable' });
    } finally {
      await killer.end();
      await client.end().catch(() => undefined);
    }
  });
});
