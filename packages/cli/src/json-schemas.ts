import { z } from 'zod';
import { auditReportSchema } from './audit/report-schema.js';
import { compareResultSchema } from './compare/result-schema.js';
import { loadtestReportSchema } from './loadtest/report-schema.js';

// For consumers in any language (CI scripts, dashboards): JSON Schemas
// (draft-07) generated from the zod schemas the types are inferred from, so
// the two cannot drift apart. Checks JSON Schema cannot express (histograms
// that decode, URLs that parse) are the zod schemas' alone.

const generate = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-07', io: 'output' });

// Generated on first use and kept: every CLI run imports this module, few ask for a schema.
function lazyJsonSchema(schema: z.ZodType): () => ReturnType<typeof generate> {
  let built: ReturnType<typeof generate> | undefined;
  return () => {
    built ??= generate(schema);
    return built;
  };
}

/**
 * JSON Schema of `loadtest --json` output and of `--save` baseline files,
 * built on the first call; later calls return the same object.
 *
 * @example
 * new Ajv().compile(loadtestReportJsonSchema())(JSON.parse(readFileSync('baseline.json', 'utf8')))
 */
export const loadtestReportJsonSchema = lazyJsonSchema(loadtestReportSchema);

/**
 * JSON Schema of `audit --json` output, built on the first call.
 *
 * @example
 * new Ajv().compile(auditReportJsonSchema())(JSON.parse(stdout))
 */
export const auditReportJsonSchema = lazyJsonSchema(auditReportSchema);

/**
 * JSON Schema of `compare --json` output, built on the first call.
 *
 * @example
 * new Ajv().compile(compareResultJsonSchema())(JSON.parse(stdout))
 */
export const compareResultJsonSchema = lazyJsonSchema(compareResultSchema);
