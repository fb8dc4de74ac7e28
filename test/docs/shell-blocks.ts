/** A shell block of a Markdown document, with the docs-test mark written just above its fence. */
export interface ShellBlock {
  /** The line of the opening fence (1-based). */
  readonly line: number;
  readonly code: string;
  readonly mark?: { readonly kind: 'server' } | { readonly kind: 'skip'; readonly reason: string };
}

const FENCE = /^```(sh|bash|shell)\s*$/;
const MARK = /^<!--\s*docs-test:\s*(server|skip:\s*(.+?))\s*-->$/;

/** The ```sh / ```bash / ```shell blocks of a Markdown text, in order. */
export function parseShellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const out: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i] as string)) continue;
    let end = i + 1;
    while (end < lines.length && !(lines[end] as string).startsWith('```')) end++;
    let above = i - 1;
    while (above >= 0 && (lines[above] as string).trim() === '') above--;
    const m = above >= 0 ? MARK.exec((lines[above] as string).trim()) : null;
    const mark =
      m === null ? undefined : m[1] === 'server' ? ({ kind: 'server' } as const) : ({ kind: 'skip', reason: m[2] as string } as const);
    out.push({ line: i + 1, code: `${lines.slice(i + 1, end).join('\n')}\n`, ...(mark === undefined ? {} : { mark }) });
    i = end;
  }
  return out;
}
