import type { EvidenceReport } from '@signet/verify';
import { describe, expect, it } from 'vitest';
import { evidenceReportText } from './evidence-text.js';

const show = (s: string): string => s.replace(/\x1b/g, '\\x1b');

describe('evidence report text', () => {
  it('prints the verdict, the checks in order, what it proves and what it does not', () => {
    const report = {
      valid: true,
      signed: true,
      checks: [{ name: 'envelope', status: 'pass', detail: 'signature by k1' }],
      proves: ['the provider sealed this text'],
      doesNotProve: ['who wrote the prompt'],
    } as unknown as EvidenceReport;
    expect(evidenceReportText(report, 'b.json', show)).toBe(
      'VALID evidence bundle b.json\nchecks:\n  pass    envelope  signature by k1\nit proves:\n  - the provider sealed this text\nit does not prove:\n  - who wrote the prompt\n',
    );
  });

  it('names the failure code and message of an invalid bundle, and escapes what the bundle wrote', () => {
    const report = {
      valid: false,
      signed: false,
      code: 'SIGNET_E_EVIDENCE_UNSIGNED',
      message: 'no signature',
      checks: [{ name: 'bundle', status: 'fail', detail: 'x\x1b[2J', code: 'SIGNET_E_EVIDENCE_UNSIGNED' }],
      proves: [],
      doesNotProve: ['anything'],
    } as unknown as EvidenceReport;
    const text = evidenceReportText(report, 'b.json', show);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'INVALID evidence bundle b.json: SIGNET_E_EVIDENCE_UNSIGNED',
      '  no signature',
      'checks:',
      '  fail    bundle    x\\x1b[2J [SIGNET_E_EVIDENCE_UNSIGNED]',
    ]);
    expect(text).not.toContain('it proves:');
  });
});
