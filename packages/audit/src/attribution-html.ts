import type { AttributionSummary, SuspectEntry, SuspectMatch } from './attribution-report.js';
import { esc, fmt, highlight, pageHead, sharedSpans } from './html.js';

/**
 * report.html of `signet attribute --out DIR`: a per-account summary (how much of the suspect set
 * came from each account), then per suspect the matched account, the score, and the suspect text
 * beside the sealed passage the evidence reveals, matching spans highlighted on both sides. One
 * file, no script, nothing fetched: it reads the same opened from disk, printed, or on a phone.
 */

/** What the page shows. */
export interface AttributionPage {
  /** The suspect set's name (its file name). */
  readonly dataset: string;
  readonly generatedAt: string;
  /** The lowest score reported as a match, when known. */
  readonly threshold?: number;
  readonly summary: AttributionSummary;
  readonly entries: readonly SuspectEntry[];
}

const CSS = `
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0 20px}.tile{border:1px solid #d5dbe5;border-radius:8px;padding:10px 16px;min-width:120px}
.tile .n{font-size:24px;font-weight:600}.tile .l{color:#4a5363}
.suspect{border:1px solid #d5dbe5;border-radius:8px;padding:12px 16px;margin:0 0 16px}
.suspect h3{font-size:16px;margin:0 0 6px}.facts{margin:0 0 8px;color:#333c4a}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.pair figure{margin:0;border:1px solid #e3e8f0;border-radius:6px;padding:8px 10px;background:#fbfcfe}
.pair figcaption{font-size:13px;font-weight:600;color:#4a5363;margin-bottom:4px}
.pair .text,.text.single{white-space:pre-wrap;overflow-wrap:anywhere;max-height:28em;overflow:auto}.text.single{color:#4a5363;max-height:8em}
.bar{display:inline-block;height:10px;background:#3b6fd8;border-radius:2px;vertical-align:middle;margin-right:6px}
.num{text-align:right;font-variant-numeric:tabular-nums}
@media (max-width:720px){.pair{grid-template-columns:1fr}td,th{padding:4px}}
@media print{.pair .text{max-height:none;overflow:visible}}
`;

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '0%';
}

function accountTable(summary: AttributionSummary): string {
  const rows = Object.entries(summary.byAccount);
  if (rows.length === 0) return '<p>No suspect text was attributed to any account.</p>';
  const max = Math.max(...rows.map(([, c]) => c.suspects), 1);
  const body = rows
    .map(
      ([account, c]) =>
        `<tr data-account="${esc(account)}"><th scope="row">${esc(account)}</th>` +
        `<td class="num" data-value="${c.suspects}"><span class="bar" style="width:${Math.max(2, Math.round((c.suspects / max) * 50))}%" aria-hidden="true"></span>${fmt(c.suspects)}</td>` +
        `<td class="num" data-value="${c.best}">${fmt(c.best)}</td>` +
        `<td class="num">${pct(c.suspects, summary.total)}</td>` +
        `<td class="num" data-value="${c.matchedChars}">${fmt(c.matchedChars)} (${pct(c.matchedChars, summary.suspectChars)})</td></tr>`,
    )
    .join('');
  return `<table id="accounts"><caption class="meta">How much of the suspect set came from each account</caption><thead><tr><th scope="col">account</th><th scope="col">suspects naming it</th><th scope="col">as best match</th><th scope="col">share of suspects</th><th scope="col">matched characters (share of all suspect text)</th></tr></thead><tbody>${body}</tbody></table>`;
}

function matchBlock(entry: SuspectEntry, m: SuspectMatch, rank: number): string {
  const text = entry.text ?? '';
  const suspectSpans = m.spans !== undefined && m.spans.length > 0 ? m.spans : m.sealed === undefined ? [] : sharedSpans(text, m.sealed);
  const facts = [
    `account <b>${esc(m.account)}</b>`,
    `score <b data-score="${m.score}">${m.score.toFixed(2)}</b> (${esc(m.method)})`,
    ...(m.explanation === undefined ? [] : [esc(m.explanation)]),
    `response <code>${esc(m.responseId)}</code>`,
    ...(m.terms === undefined ? [] : [`terms ${esc(m.terms)}`]),
    ...(m.issuedAt === undefined ? [] : [`sealed ${esc(new Date(m.issuedAt * 1000).toISOString().replace('.000Z', 'Z'))}`]),
  ];
  const also =
    m.alsoServedTo !== undefined && m.alsoServedTo.length > 0
      ? `<p class="warn">The suspect cannot tell this answer apart from answers also served to ${m.alsoServedTo.map(esc).join(', ')}: it does not single out one account.</p>`
      : '';
  const sealed =
    m.sealed === undefined
      ? '<p class="meta">The evidence reveals no sealed passage (no stored text and no verbatim chunk): the match rests on fingerprints only.</p>'
      : `<div class="text" data-side="sealed">${highlight(m.sealed, sharedSpans(m.sealed, text))}</div>`;
  return `<div class="match" data-rank="${rank}" data-account="${esc(m.account)}">
<p class="facts">${rank > 1 ? `Also matched (#${rank}): ` : ''}${facts.join(' · ')}${m.evidence ? ` · evidence <code>${esc(m.evidence)}</code>` : ''}</p>
${also}
<div class="pair"><figure><figcaption>Suspect text</figcaption><div class="text" data-side="suspect">${highlight(text, suspectSpans)}</div></figure>
<figure><figcaption>Sealed passage revealed by the evidence</figcaption>${sealed}</figure></div></div>`;
}

function suspectBlock(entry: SuspectEntry, index: number): string {
  const where = entry.file === undefined ? `line ${entry.line}` : `${entry.file}:${entry.line}`;
  const head = `<h3>Suspect ${esc(String(entry.id))} <span class="meta">(${esc(where)})</span></h3>`;
  if (entry.error !== undefined)
    return `<section class="suspect" id="s${index}" data-state="error">${head}<p class="bad"><code>${esc(entry.error)}</code> ${esc(entry.message ?? '')}</p></section>`;
  if (entry.matches.length === 0) {
    const why =
      entry.verdict === 'too-short'
        ? 'Too short to attribute: this text cannot carry enough evidence to name any account, whatever it matches.'
        : 'Not attributed: nothing in the registry explains this text better than chance.';
    return `<section class="suspect" id="s${index}" data-state="${entry.verdict === 'too-short' ? 'too-short' : 'none'}">${head}<p>${why}</p>${entry.text === undefined ? '' : `<div class="text single">${esc(entry.text)}</div>`}</section>`;
  }
  const ambiguous =
    entry.verdict === 'ambiguous'
      ? '<p class="warn"><b>Ambiguous:</b> the strongest evidence points equally at answers served to several accounts, so no single account is named.</p>'
      : entry.matches.length > 1
        ? `<p>This text draws on answers served to <b>${entry.matches.length}</b> accounts; each is shown with its own matching passage.</p>`
        : '';
  return `<section class="suspect" id="s${index}" data-state="matched">${head}${ambiguous}${entry.matches.map((m, i) => matchBlock(entry, m, i + 1)).join('\n')}</section>`;
}

/** Renders the attribution report as one HTML document. */
export function renderAttributionHtml(page: AttributionPage): string {
  const s = page.summary;
  const tile = (id: string, label: string, value: number): string =>
    `<div class="tile" id="${id}"><div class="n" data-value="${value}">${fmt(value)}</div><div class="l">${esc(label)}</div></div>`;
  const methods = Object.entries(s.byMethod)
    .map(([m, n]) => `<tr data-method="${esc(m)}"><th scope="row">${esc(m)}</th><td class="num" data-value="${n}">${fmt(n)}</td></tr>`)
    .join('');
  const shown = page.entries.length;
  return `${pageHead(`Signet attribution: ${page.dataset}`, CSS)}<main>
<h1>Signet attribution report</h1>
<div class="meta">Suspects <b>${esc(page.dataset)}</b> · generated ${esc(page.generatedAt)}${page.threshold === undefined ? '' : ` · threshold ${page.threshold}`}</div>
<div class="tiles">${tile('tile-total', 'suspect texts', s.total)}${tile('tile-matched', 'attributed', s.byVerdict.attributed ?? 0)}${tile('tile-ambiguous', 'ambiguous', s.byVerdict.ambiguous ?? 0)}${tile('tile-unmatched', 'not attributed', s.byVerdict.none ?? 0)}${tile('tile-short', 'too short to attribute', s.byVerdict['too-short'] ?? 0)}${tile('tile-errors', 'unreadable', s.errors)}</div>
<p>An attribution names the account a sealed answer was served to. It says the suspect text shares passages with that answer; it does not say who copied it, or when. Each attributed suspect has an evidence bundle that anyone can check with <code>signet evidence verify</code>.</p>
<h2>Per account</h2>
${accountTable(s)}
<h2>Per match method</h2>
${methods === '' ? '<p>No match.</p>' : `<table id="methods"><thead><tr><th scope="col">method</th><th scope="col">best matches</th></tr></thead><tbody>${methods}</tbody></table>`}
<h2>Suspects</h2>
<p class="meta">Marked on the suspect: the spans the registry matched. Marked on the sealed passage: runs of three or more words the suspect also contains. The sealed passage is what the evidence bundle reveals and proves part of the sealed answer.</p>
${shown < s.total ? `<p class="meta">The first ${fmt(shown)} of ${fmt(s.total)} suspects are shown; attribution.json lists them all.</p>` : ''}
${page.entries.map(suspectBlock).join('\n')}
</main></body></html>
`;
}
