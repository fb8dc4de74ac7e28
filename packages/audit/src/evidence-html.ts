import { fromBase64url, parseEnvelope, toHex } from '@signet/core';
import { basename } from 'node:path';
import { evidenceVerdict, type EvidenceReport } from '@signet/verify';
import { esc, pageHead } from './html.js';

/**
 * The printable page of `signet evidence verify BUNDLE --html OUT.html`: the verdict, every check
 * in the order it ran, what the bundle proves and what it does not (the same sentences as the
 * terminal output), the key fingerprints and the log checkpoint. Claims are shown only for a bundle
 * that verified: a failed bundle's contents are nobody's statement.
 */

/** What the page needs besides the report. */
export interface EvidencePageOptions {
  /** The bundle's path, as the checker gave it (the page shows its file name). */
  readonly bundlePath: string;
  /** The log verifier key the log was checked with (C2SP `name+hexid+base64key`), if any. */
  readonly logKey?: string | undefined;
  /** When the check ran (ISO 8601; default now). */
  readonly checkedAt?: string;
}

const CSS = `
.verdict{font-size:20px;font-weight:700;padding:10px 14px;border-radius:8px;margin:12px 0;border:2px solid}
.verdict.ok{border-color:#146c43;background:#eaf6ef}.verdict.bad{border-color:#b02a37;background:#fbeaec}.verdict.warn{border-color:#8a5a00;background:#fff6e0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dl.facts dt{font-weight:600;color:#333c4a}dl.facts dd{margin:0;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fb;border:1px solid #e3e8f0;border-radius:6px;padding:8px 10px;font-size:13px}
ul.list li{margin:4px 0}
.status-ok{color:#146c43;font-weight:600}.status-failed{color:#b02a37;font-weight:600}.status-skipped{color:#8a5a00;font-weight:600}
@media (max-width:720px){dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:6px}}
`;

function envelopeKid(envelope: string): string | undefined {
  try {
    return parseEnvelope(fromBase64url(envelope)).kid;
  } catch {
    return undefined;
  }
}

function checkpointFacts(text: string): { origin: string; size: string; root: string } | undefined {
  const [origin, size, root] = text.split('\n');
  if (origin === undefined || size === undefined || root === undefined) return undefined;
  let rootHex = root;
  try {
    rootHex = toHex(Uint8Array.from(atob(root), (c) => c.charCodeAt(0)));
  } catch {
    // Shown as written: the log check says whether it is well-formed.
  }
  return { origin, size, root: rootHex };
}

function dl(rows: readonly (readonly [string, string])[]): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** Renders a verified (or failed) evidence bundle as one printable HTML document. */
export function renderEvidenceHtml(report: EvidenceReport, options: EvidencePageOptions): string {
  const verdictClass = !report.valid ? 'bad' : report.signed ? 'ok' : 'warn';
  // The same headline word as `signet evidence verify`.
  const verdict = `${evidenceVerdict(report)}: ${
    !report.valid
      ? `this evidence bundle does not verify (${report.code ?? 'unknown'})`
      : report.signed
        ? 'this evidence bundle verifies'
        : 'the bundle verifies, but the provider did not sign it'
  }`;
  const bundleName = basename(options.bundlePath);
  const checks = report.checks
    .map(
      (c) =>
        `<tr data-check="${esc(c.name)}"><th scope="row">${esc(c.name)}</th><td class="status-${esc(c.status)}">${esc(c.status)}</td><td>${esc(c.detail)}${c.code === undefined ? '' : ` <code>${esc(c.code)}</code>`}</td></tr>`,
    )
    .join('');
  const b = report.valid ? report.bundle : undefined;
  const c = report.valid ? report.claims : undefined;
  let facts = '';
  let keys = '';
  let log = '';
  if (b !== undefined && c !== undefined) {
    facts = `<section id="claims"><h2>What was sealed</h2>${dl([
      ['Sealed by', esc(c.issuer)],
      ['Sealed at', esc(new Date(c.issuedAt * 1000).toISOString().replace('.000Z', 'Z'))],
      ['Model', esc(c.model)],
      ['Response id', `<code>${esc(c.responseId)}</code>`],
      ['Account tag', `<code>${esc(b.account.tag)}</code>`],
      ['Account (provider’s disclosure)', esc(b.account.id)],
      [
        'Terms',
        `${esc(b.terms.id)} version ${esc(b.terms.version)} (<code>${esc(b.terms.uri)}</code>, SHA-256 <code>${esc(b.terms.digest)}</code>)`,
      ],
      ['Suspect', `${esc(b.suspect.id)}, SHA-256 <code>${esc(b.suspect.sha256)}</code>`],
      ['Match', `${esc(b.suspect.method)}, score ${b.suspect.score.toFixed(2)}`],
      ...(b.suspect.chanceStatement === undefined
        ? []
        : ([['Chance (the provider’s estimate)', esc(b.suspect.chanceStatement)]] as [string, string][])),
      ['Bundle made', esc(b.createdAt)],
    ])}</section>`;
    const kid = envelopeKid(b.envelope);
    keys = `<section id="keys"><h2>Key fingerprints</h2>${dl([
      ['Envelope signing key (RFC 7638 thumbprint)', kid === undefined ? 'unreadable' : `<code>${esc(kid)}</code>`],
      ['Bundle signing key', b.signature === undefined ? 'none (unsigned bundle)' : `<code>${esc(b.signature.kid)}</code>`],
      [
        'Log key',
        options.logKey === undefined
          ? 'not given: the log was not checked'
          : `<code>${esc(options.logKey.split('+').slice(0, 2).join('+'))}</code>`,
      ],
    ])}<p class="meta">Compare these with the keys the provider publishes (its JWKS) and with the log’s published verifier key.</p></section>`;
    if (b.log === null) log = '<section id="log"><h2>Log checkpoint</h2><p>The bundle carries no log receipt.</p></section>';
    else {
      const cp = checkpointFacts(b.log.checkpoint);
      const logCheck = report.checks.find((x) => x.name === 'log');
      log = `<section id="log"><h2>Log checkpoint</h2>${
        cp === undefined
          ? ''
          : dl([
              ['Log', esc(cp.origin)],
              ['Tree size', esc(cp.size)],
              ['Root hash (hex)', `<code>${esc(cp.root)}</code>`],
              ['Checked', logCheck?.status === 'ok' ? 'yes, against the log key above' : esc(logCheck?.detail ?? 'no')],
              ...(b.log.consistency === undefined
                ? []
                : ([['Consistency proof', `${b.log.consistency.length} hashes, from the receipt’s tree to this checkpoint’s`]] as [
                    string,
                    string,
                  ][])),
            ])
      }<pre aria-label="checkpoint text">${esc(b.log.checkpoint)}</pre></section>`;
    }
  }
  const proves =
    report.proves.length === 0
      ? '<p>Nothing: the bundle did not verify.</p>'
      : `<ul class="list">${report.proves.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
  const notProven = `<ul class="list">${report.doesNotProve.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
  return `${pageHead(`Signet evidence: ${bundleName}`, CSS)}<main>
<h1>Signet evidence check</h1>
<div class="meta">Bundle <b>${esc(bundleName)}</b> · checked ${esc(options.checkedAt ?? new Date().toISOString())} offline with the provider’s public keys${options.logKey === undefined ? '' : ' and the log’s public key'}</div>
<p class="verdict ${verdictClass}" role="status" id="verdict">${esc(verdict)}</p>
${report.valid ? '' : `<p>${esc(report.message ?? '')}</p>`}
<section id="proves"><h2>What this proves</h2>${proves}</section>
<section id="not-proven"><h2>What this does not prove</h2>${notProven}</section>
${facts}
<section id="checks"><h2>What was checked, in order</h2><table><thead><tr><th scope="col">check</th><th scope="col">result</th><th scope="col">detail</th></tr></thead><tbody>${checks}</tbody></table></section>
${keys}
${log}
</main></body></html>
`;
}
