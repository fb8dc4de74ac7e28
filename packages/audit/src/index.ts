/**
 * Auditing a dataset of sealed answers: a streaming reader for JSONL and JSON datasets, a pool of
 * worker threads that verifies every record, and a report (JSON and self-contained HTML).
 *
 * @packageDocumentation
 */
export { runAudit, type AuditOptions, type DatasetStream } from './run.js';
export { auditExitCode, ReportBuilder, type AuditOutcome, type AuditReport } from './report.js';
export { renderReportHtml } from './report-html.js';
export { readDataset, type DatasetOptions, type RawRecord } from './dataset.js';
export { parseRecord, type Item, type Layout, type Parsed } from './records.js';
export { createChecker, type BatchRecord, type CheckConfig, type ItemResult } from './check.js';
export { startPool, type CheckPool } from './pool.js';
export { readSuspects, suspectText, type Suspect } from './suspects.js';
export { InputTooLargeError, readFileBounded, readStreamBounded } from '@signet/core/node-fs';
export { DATASET_ERROR_CODES, type DatasetErrorCode } from './errors.js';
