import { describe, expect, it } from 'vitest';
import { queryOperation, queryShape } from '../../src/queries/query-shape.js';

describe('query shape', () => {
  it('gives queries that differ only in values one shape', () => {
    const a = queryShape(
      "select * from calls where user_id = 42 and status = 'completed' and id in (1, 2, 3)",
    );
    const b = queryShape(
      "SELECT * FROM calls WHERE user_id = 7 AND status = 'it''s' AND id IN (9)".toLowerCase(),
    );
    expect(a).toBe('select * from calls where user_id = ? and status = ? and id in (?)');
    expect(b).toBe(a);
  });

  it('replaces placeholders and collapses whitespace but keeps identifiers with digits', () => {
    expect(queryShape('select t1.x1\n  from  t1 where t1.id = $1 and t1.day >= $2::date')).toBe(
      'select t1.x1 from t1 where t1.id = ? and t1.day >= ?::date',
    );
  });

  it('names the operation as OpenTelemetry does', () => {
    expect(queryOperation('  with x as (select 1) select * from x')).toBe('WITH');
    expect(queryOperation('insert into t values ($1)')).toBe('INSERT');
    expect(queryOperation('')).toBe('OTHER');
  });
});
