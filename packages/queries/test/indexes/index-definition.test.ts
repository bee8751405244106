import { describe, expect, it } from 'vitest';
import { normaliseIndexDef } from '../../src/indexes/index-definition.js';

describe('normaliseIndexDef', () => {
  it('keeps what makes an index what it is and drops its name and table, quoted or not', () => {
    expect(
      normaliseIndexDef(
        'CREATE INDEX leads_call_id_idx ON t_a.leads USING btree (call_id) WHERE (call_id IS NOT NULL)',
      ),
    ).toBe('USING btree (call_id) WHERE (call_id IS NOT NULL)');
    expect(
      normaliseIndexDef(
        'CREATE UNIQUE INDEX "odd ""name""" ON ONLY "My Schema"."user" USING btree (lower(email))',
      ),
    ).toBe('UNIQUE USING btree (lower(email))');
  });

  it('refuses text that is not an index definition rather than calling it different', () => {
    expect(() => normaliseIndexDef('CREATE TABLE x (id int)')).toThrow(/not an index definition/);
  });
});
