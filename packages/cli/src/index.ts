export type { IndexSuggestion } from './audit/index-advice.js';
export type { PlanCheckOptions } from './audit/plan-findings.js';
export { PLAN_CHECK_DEFAULTS, planFindings } from './audit/plan-findings.js';
export { readQueryFile } from './audit/query-source.js';
export type { AuditedQuery, AuditOptions, AuditReport } from './audit/run-audit.js';
export { auditFails, runAudit } from './audit/run-audit.js';
export { schemaFindings } from './audit/schema-findings.js';
export type { AuditFinding, AuditQuery, FindingKind, Severity } from './audit/types.js';
export type { CalibrateOptions, CalibrationEntry, CalibrationResult } from './compare/calibrate.js';
export { calibrateGate, splitReport } from './compare/calibrate.js';
export type {
  CompareOptions,
  CompareResult,
  GateMetric,
  MetricComparison,
  TargetComparison,
} from './compare/compare-reports.js';
export {
  COMPARE_DEFAULTS,
  compareReports,
  configDifferences,
  GATE_METRICS,
} from './compare/compare-reports.js';
export { minimumPValue, rankSumPValue, relativeShift } from './compare/rank-test.js';
export type { PerfCliErrorCode } from './errors.js';
export {
  ConfigMismatchError,
  DatabaseUnavailableError,
  EXIT_CODES,
  InvalidOptionError,
  PerfCliError,
} from './errors.js';
export type { CliIo } from './io.js';
export type { Histogram, LatencyMetric, LatencySummary } from './loadtest/histogram.js';
export {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarize,
} from './loadtest/histogram.js';
export type { MergeInput } from './loadtest/merge-reports.js';
export { mergeReports } from './loadtest/merge-reports.js';
export type { RunMetadata } from './loadtest/metadata.js';
export { readReport, writeReport } from './loadtest/report-file.js';
export type {
  GeneratorReport,
  LoadModel,
  LoadtestConfig,
  LoadtestOptions,
  LoadtestProgress,
  LoadtestReport,
  RepetitionReport,
  ReportPart,
  TargetReport,
} from './loadtest/run-loadtest.js';
export { defaultWorkers, LOADTEST_DEFAULTS, PHASE_GAP_MS, runLoadtest } from './loadtest/run-loadtest.js';
export type { ErrorCounts, GeneratorLoad } from './loadtest/run-result.js';
export { generatorDemand, MAX_GENERATOR_LOAD, saturationReasons } from './loadtest/saturation.js';
export type { Shard } from './loadtest/shard.js';
export { formatShard, parseShard, WHOLE_RUN } from './loadtest/shard.js';
export type { LoadTarget } from './loadtest/targets.js';
export { loadTargetsFile, parseTargetFlag } from './loadtest/targets.js';
export type { Threshold, ThresholdResult } from './loadtest/thresholds.js';
export { evaluateThresholds, parseThreshold } from './loadtest/thresholds.js';
export { createProgram, runCli } from './program.js';
export { renderHtmlReport } from './report/html-report.js';
export { auditReportSchema, compareResultSchema, loadtestReportSchema } from './schemas.js';
export { REDACTED, redactUrl } from './util/redact-url.js';
