import { describe, expect, it } from 'vitest';
import type { IndexInfo, SchemaSnapshot } from '../src/audit/schema-snapshot.js';
import { planFindings, schemaFindings } from '../src/index.js';

const index = (name: string, columns: string[], extra: Partial<IndexInfo> = {}): IndexInfo => ({
  name,
  table: 'calls',
  columns,
  include: [],
  unique: false,
  primary: false,
  partial: false,
  valid: true,
  method: 'btree',
  scans: 10,
  sizeBytes: 8192,
  definition: `CREATE INDEX ${name} ON calls (${columns.join(', ')})`,
  ...extra,
});

const snapshot = (indexes: IndexInfo[], tableScans = 5000): SchemaSnapshot => ({
  schema: 'app',
  tables: [
    {
      name: 'calls',
      rows: 250_000,
      columns: ['id', 'user_id', 'agent_id', 'created_at'],
      analyzed: true,
      sizeBytes: 50e6,
      scans: tableScans,
    },
  ],
  indexes,
  foreignKeys: [
    { name: 'calls_agent_fk', table: 'calls', columns: ['agent_id', 'user_id'], references: 'agents' },
  ],
});

const kinds = (s: SchemaSnapshot) =>
  schemaFindings(s, { largeTableRows: 10_000 }).map((f) => `${f.kind}:${f.index ?? f.table}`);

describe('schema findings', () => {
  it('flags a foreign key no index leads with, and accepts one led by any of its columns', () => {
    expect(kinds(snapshot([]))).toContain('fk_without_index:calls');
    expect(kinds(snapshot([index('calls_agent_created', ['agent_id', 'created_at'])]))).not.toContain(
      'fk_without_index:calls',
    );
  });

  it('tells a duplicate from a covering index with the same keys', () => {
    const pkey = index('calls_pkey', ['agent_id', 'created_at'], { unique: true, primary: true });
    expect(kinds(snapshot([pkey, index('calls_copy', ['agent_id', 'created_at'])]))).toContain(
      'duplicate_index:calls_copy',
    );
    const covering = index('calls_cover', ['agent_id', 'created_at'], { include: ['user_id'] });
    expect(kinds(snapshot([pkey, covering]))).not.toContain('duplicate_index:calls_cover');
  });

  it('flags an index whose columns lead another one as overlapping', () => {
    expect(
      kinds(
        snapshot([
          index('calls_agent', ['agent_id']),
          index('calls_agent_created', ['agent_id', 'created_at']),
        ]),
      ),
    ).toContain('overlapping_index:calls_agent');
  });

  it('flags INVALID indexes, and unused ones only after the table has served many scans', () => {
    const unused = index('calls_user', ['user_id'], { scans: 0 });
    expect(kinds(snapshot([unused, index('calls_bad', ['created_at'], { valid: false })]))).toEqual(
      expect.arrayContaining(['invalid_index:calls_bad', 'unused_index:calls_user']),
    );
    expect(kinds(snapshot([unused], 10))).not.toContain('unused_index:calls_user');
  });
});

describe('plan findings', () => {
  const rows = new Map([['calls', 250_000]]);
  const plan = (node: object) => ({ Plan: { 'Plan Rows': 1, 'Total Cost': 1, ...node } as never });

  it('flags a selective sequential scan of a large table as high', () => {
    const findings = planFindings(
      'q',
      plan({
        'Node Type': 'Seq Scan',
        'Relation Name': 'calls',
        Filter: '(user_id = 3)',
        'Actual Rows': 100,
        'Actual Loops': 1,
        'Rows Removed by Filter': 249_900,
        'Plan Rows': 100,
      }),
      rows,
    );
    expect(findings.map((f) => `${f.kind}:${f.severity}`)).toEqual(['seq_scan_large_table:high']);
  });

  it('flags misestimates, disk sorts, multi-batch hashes and nested loops with many inner loops', () => {
    const findings = planFindings(
      'q',
      plan({
        'Node Type': 'Nested Loop',
        'Actual Rows': 5000,
        'Actual Loops': 1,
        'Plan Rows': 10,
        Plans: [
          {
            'Node Type': 'Sort',
            'Parent Relationship': 'Outer',
            'Sort Key': ['created_at'],
            'Sort Method': 'external merge',
            'Sort Space Type': 'Disk',
            'Plan Rows': 5000,
            'Actual Rows': 5000,
            'Actual Loops': 1,
          },
          {
            'Node Type': 'Hash',
            'Parent Relationship': 'Inner',
            'Hash Batches': 4,
            'Original Hash Batches': 1,
            'Plan Rows': 1,
            'Actual Rows': 1,
            'Actual Loops': 5000,
          },
        ],
      }),
      rows,
    );
    expect(findings.map((f) => f.kind).sort()).toEqual([
      'hash_spill',
      'nested_loop_many_loops',
      'row_misestimate',
      'sort_spill',
    ]);
  });

  it('does not call rows cut short by a LIMIT a misestimate', () => {
    const findings = planFindings(
      'q',
      plan({
        'Node Type': 'Limit',
        'Actual Rows': 5,
        'Actual Loops': 1,
        'Plan Rows': 5,
        Plans: [{ 'Node Type': 'Sort', 'Plan Rows': 30_000, 'Actual Rows': 5, 'Actual Loops': 1 }],
      }),
      rows,
    );
    expect(findings).toEqual([]);
  });
});
