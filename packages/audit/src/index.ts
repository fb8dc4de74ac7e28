/**
 * Auditing a dataset of sealed answers: a streaming reader for JSONL, JSON, gzip and Parquet datasets, a pool of
 * worker threads that verifies every record, and a report (JSON and self-contained HTML).
 *
 * @packageDocumentation
 */
export { runAudit, type AuditOptions, type DatasetStream } from './run.js';
export { auditExitCode, packPosition, ReportBuilder, type AuditOutcome, type AuditReport } from './report.js';
export { renderReportHtml } from './report-html.js';
export { createProgress, type Progress } from './progress.js';
export { csvCell, renderReportCsv } from './report-csv.js';
export { ReplayCounter, type Place, type Replay, type ReplaySummary } from './replays.js';
export {
  readRecords,
  resolveDataset,
  SUPPORTED_FORMATS,
  type DatasetFile,
  type DatasetFormat,
  type ReadRecordsOptions,
  type SourcedRecord,
} from './source.js';
export { readDataset, type DatasetOptions, type RawRecord } from './dataset.js';
export { fieldOf, parseRecord, type Item, type Layout, type Parsed, type RecordFields } from './records.js';
export { createChecker, type BatchRecord, type CheckConfig, type ItemResult } from './check.js';
export { startPool, type CheckPool } from './pool.js';
export { readSuspects, suspectText, type Suspect, type SuspectOptions } from './suspects.js';
export { InputTooLargeError, readFileBounded, readStreamBounded } from '@signet/core/node-fs';
export { DATASET_ERROR_CODES, type DatasetErrorCode } from './errors.js';
export {
  AttributionSummaryBuilder,
  revealedPassage,
  suspectMatches,
  type NamedAccount,
  type AccountCount,
  type AttributionSummary,
  type BundleContent,
  type SuspectEntry,
  type SuspectMatch,
} from './attribution-report.js';
export { renderAttributionHtml, type AttributionPage } from './attribution-html.js';
export { AttributionRun, type SuspectOutcome } from './attribution-run.js';
export { renderEvidenceHtml, type EvidencePageOptions } from './evidence-html.js';
export { evidenceReportText } from './evidence-text.js';
export { esc as escapeHtml, highlight, sharedSpans } from './html.js';
export { attributionSummaryText, auditSummaryText, type Show } from './summary-text.js';
