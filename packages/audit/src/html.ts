/**
 * Shared pieces of the self-contained HTML pages (audit report, attribution report, evidence page):
 * escaping, the no-network Content-Security-Policy, and the base style (readable printed, and on a
 * phone-width screen).
 */

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Formats a count with thousands separators. */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** The head of a page: no script, no fetch of any kind, styles inline. */
export function pageHead(title: string, css: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{overflow-wrap:anywhere;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1d2430;padding:0 16px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:20px 0 8px}.meta{color:#4a5363;margin-bottom:18px}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-bottom:1px solid #d5dbe5;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f9}code{font-size:13px;word-break:break-all}td,th{overflow-wrap:anywhere}
@media (max-width:720px){body{margin:12px auto;padding:0 10px}table{table-layout:fixed}td,th{padding:4px 5px;font-size:13px}}
mark{background:#ffe08a;color:#1d2430;padding:0 1px;border-radius:2px}
.ok{color:#146c43}.bad{color:#b02a37}.warn{color:#8a5a00}
@media print{body{margin:0;max-width:none;font-size:12px}a{color:inherit;text-decoration:none}section{break-inside:avoid}}
${css}
</style></head>
<body>
`;
}

/** Marks `[start, end)` ranges of `text` (UTF-16 offsets) with `<mark>`, escaping the rest. */
export function highlight(text: string, spans: readonly (readonly [number, number])[]): string {
  const sorted = [...spans].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let out = '';
  let at = 0;
  for (const [a, b] of sorted) {
    const start = Math.max(a, at);
    const end = Math.min(b, text.length);
    if (end <= start) continue;
    out += esc(text.slice(at, start)) + `<mark>${esc(text.slice(start, end))}</mark>`;
    at = end;
  }
  return out + esc(text.slice(at));
}

interface Word {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}_]+/gu)) out.push({ key: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * The spans of `text` made of runs of at least `n` words that also occur, in the same order, in
 * `other` (case folded, punctuation ignored): what a reader should see highlighted as shared.
 */
export function sharedSpans(text: string, other: string, n = 3): [number, number][] {
  const mine = words(text);
  const theirs = words(other);
  const grams = new Set<string>();
  for (let i = 0; i + n <= theirs.length; i++)
    grams.add(
      theirs
        .slice(i, i + n)
        .map((w) => w.key)
        .join(' '),
    );
  const covered = new Array<boolean>(mine.length).fill(false);
  for (let i = 0; i + n <= mine.length; i++)
    if (
      grams.has(
        mine
          .slice(i, i + n)
          .map((w) => w.key)
          .join(' '),
      )
    )
      for (let k = i; k < i + n; k++) covered[k] = true;
  const spans: [number, number][] = [];
  for (let i = 0; i < mine.length; i++) {
    if (!covered[i]) continue;
    let j = i;
    while (j + 1 < mine.length && covered[j + 1]) j++;
    spans.push([(mine[i] as Word).start, (mine[j] as Word).end]);
    i = j;
  }
  return spans;
}
