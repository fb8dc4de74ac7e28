import { expect } from 'vitest';
import { sameView, viewDiff, type Outcome, type Tampering } from './harness.js';

function describeVerdict(o: Outcome): string {
  const v = o.verdict;
  if (v === undefined) return 'no verdict';
  return v.valid ? 'valid' : `invalid ${v.code} at ${v.step}: ${v.message.slice(0, 160)}`;
}

/**
 * The rule every tampering case is held to: if what the SDK shows differs from what it shows for the
 * bytes the gateway sent (or the case is one the closed-world rules reject outright), the verifying
 * fetch reports the response invalid and a client with `throwOnFailure` catches an error.
 */
export function expectFlagged(o: Outcome, t: Tampering): void {
  const visible = !sameView(o.before, o.after);
  const label = [
    `tampering: ${t.name}`,
    `visible to the SDK: ${visible}`,
    `verdict: ${describeVerdict(o)}`,
    'SDK-visible diff (- untampered, + tampered):',
    viewDiff(o.before, o.after),
  ].join('\n');
  expect(o.changed, `${label}\nthe tampering did not change the bytes`).toBe(true);
  // A case that changes nothing the SDK shows, and is not a closed-world rule, would prove nothing.
  expect(visible || t.always === true, `${label}\nthe tampering must change what the SDK shows`).toBe(true);
  expect(o.verdict?.valid, label).toBe(false);
  expect(o.strictError, `${label}\nwith throwOnFailure the app caught no error`).toBeDefined();
}

/** An untampered exchange: the SDK shows the gateway's answer and the verdict is valid. */
export function expectValid(o: Outcome, name: string): void {
  const label = `${name}\nverdict: ${describeVerdict(o)}\nSDK-visible diff:\n${viewDiff(o.before, o.after)}`;
  expect(sameView(o.before, o.after), label).toBe(true);
  expect(o.verdict?.valid, label).toBe(true);
  expect(o.strictError, `${label}\nstrict client threw: ${String(o.strictError)}`).toBeUndefined();
}
