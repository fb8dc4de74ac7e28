// Kept so commands/attribute.ts keeps its import while attribution is reworked; the reader lives in @signet/audit.
export { readSuspects, suspectText, type Suspect } from '@signet/audit';
