import type { Verdict, VerdictStatus } from './verdict.js';

/**
 * Draws a verdict into the page. Every string from the input goes in as text, never as markup: a
 * crafted answer or bundle cannot add elements or scripts to the page.
 */

const ICONS: Readonly<Record<VerdictStatus, string>> = {
  valid: '✓',
  normalized: '!',
  unsigned: '!',
  incomplete: '?',
  invalid: '✗',
  unsealed: '✗',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

function list(title: string, items: readonly string[], id: string): HTMLElement[] {
  if (items.length === 0) return [];
  const h = el('h3', title);
  h.id = id;
  const ul = el('ul', undefined, 'claims');
  ul.setAttribute('aria-labelledby', id);
  for (const item of items) ul.append(el('li', item));
  return [h, ul];
}

/** Renders `verdict` into `target`, replacing what was there. */
export function renderVerdict(target: HTMLElement, verdict: Verdict): void {
  const parts: HTMLElement[] = [];
  const banner = el('div', undefined, `banner ${verdict.status}`);
  banner.dataset.status = verdict.status;
  banner.append(el('p', verdict.subject, 'subject'));
  const headline = el('p', undefined, 'headline');
  headline.id = 'verdict-headline';
  // "INVALID: SIGNET_E_..." reads as a word and a code: the code is set apart so it can wrap on a phone.
  const colon = verdict.headline.indexOf(': ');
  headline.append(el('span', ICONS[verdict.status], 'icon'));
  if (colon < 0) headline.append(document.createTextNode(verdict.headline));
  else headline.append(document.createTextNode(verdict.headline.slice(0, colon + 2)), el('code', verdict.headline.slice(colon + 2)));
  banner.append(headline, el('p', verdict.summary, 'summary'));
  if (verdict.hint !== undefined) banner.append(el('p', `Hint: ${verdict.hint}`, 'hint'));
  parts.push(banner);

  if (verdict.facts.length > 0) {
    const dl = el('dl', undefined, 'facts');
    for (const f of verdict.facts) dl.append(el('dt', f.label), el('dd', f.value));
    parts.push(dl);
  }
  if (verdict.checks.length > 0) {
    const h = el('h3', 'Checks, in order');
    h.id = 'checks-title';
    const table = el('table', undefined, 'checks');
    table.setAttribute('aria-labelledby', 'checks-title');
    const head = el('tr');
    for (const t of ['Check', 'Result', 'Detail']) {
      const th = el('th', t);
      th.scope = 'col';
      head.append(th);
    }
    table.append(el('thead'), el('tbody'));
    table.tHead!.append(head);
    for (const c of verdict.checks) {
      const tr = el('tr');
      tr.append(el('td', c.name), el('td', c.status, c.status), el('td', c.code === undefined ? c.detail : `${c.detail} [${c.code}]`));
      table.tBodies[0]!.append(tr);
    }
    parts.push(h, table);
  }
  parts.push(...list('What this proves', verdict.proves, 'proves-title'));
  parts.push(...list('What this does not prove', verdict.doesNotProve, 'not-proven-title'));
  if (verdict.raw !== undefined) {
    const details = el('details');
    details.id = 'raw';
    details.append(el('summary', 'Raw claims (as signed)'), el('pre', JSON.stringify(verdict.raw, null, 2), 'raw'));
    parts.push(details);
  }
  target.replaceChildren(...parts);
}
