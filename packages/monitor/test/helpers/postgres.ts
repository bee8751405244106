import { TEST_DATABASE_URL } from '@perfkit/testing';
import pg from 'pg';

/** A plain pool on the test database. */
export function testPool(max = 4): pg.Pool {
  return new pg.Pool({ connectionString: TEST_DATABASE_URL, max });
}
