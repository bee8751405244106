import { describe, expect, it, vi } from 'vitest';

// Counts the generations: the module under test must call it on first use only, not at import.
const toJSONSchema = vi.hoisted(() => ({ calls: 0 }));
vi.mock('zod', async (importOriginal) => {
  const zod = await importOriginal<typeof import('zod')>();
  const generate = (...args: Parameters<typeof zod.z.toJSONSchema>) => {
    toJSONSchema.calls += 1;
    return zod.z.toJSONSchema(...args);
  };
  return { ...zod, z: { ...zod.z, toJSONSchema: generate } };
});

describe('the published JSON Schemas', () => {
  it('are generated on first use, not at import, and once each', async () => {
    const cli = await import('../src/index.js');
    expect(toJSONSchema.calls).toBe(0);
    const schemas = [cli.loadtestReportJsonSchema, cli.auditReportJsonSchema, cli.compareResultJsonSchema];
    for (const schema of schemas) {
      expect(schema()).toBe(schema());
      expect(schema().$schema).toBe('http://json-schema.org/draft-07/schema#');
    }
    expect(toJSONSchema.calls).toBe(3);
  });
});
