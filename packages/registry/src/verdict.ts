import type { AttributionMatch } from './match.js';

/**
 * What an attribution may say about one suspect, decided in one place so every caller (the CLI,
 * reports, evidence) says the same thing:
 *
 * - `attributed`: one or more accounts, each with evidence of its own (a suspect joined from two
 *   answers names both, ranked by evidence);
 * - `ambiguous`: the strongest evidence points equally at texts served to several accounts (the same
 *   answer served twice), so no single account is named;
 * - `too-short`: the text cannot carry enough evidence to name anyone, whatever it matches;
 * - `none`: nothing in the registry explains the text better than chance.
 */

export type AttributionKind = 'attributed' | 'ambiguous' | 'too-short' | 'none';

/** One account the suspect is attributed to. */
export interface AccountAttribution {
  readonly accountId: string;
  /** Its matching sealed texts, strongest first. */
  readonly matches: AttributionMatch[];
  /** The chance of its strongest match (see {@link AttributionMatch.chance}). */
  readonly chance: number;
  /** Accounts that received texts the suspect cannot tell apart from this account's. */
  readonly tiedWith: string[];
}

/** The outcome of attributing one suspect text. */
export interface Attribution {
  readonly kind: AttributionKind;
  /** The accounts, strongest evidence first (empty unless attributed or ambiguous). */
  readonly accounts: AccountAttribution[];
  /** Every reported sealed text, strongest first. */
  readonly matches: AttributionMatch[];
  /** The most evidence this text could carry (every fingerprint unique to one sealed text), and its chance. */
  readonly capacity: { readonly bits: number; readonly chance: number };
  /** The chance threshold the decision used. */
  readonly maxChance: number;
}

/**
 * Builds the outcome from groups of matches, strongest group first; the matches of one group are
 * indistinguishable. Within a group the earliest served comes first (by issue time, then by the
 * order of recording, which is the order of sealing within one second); a group of several
 * accounts makes the outcome ambiguous, so that order only lists them and never names one alone.
 */
export function decide(
  groups: readonly (readonly AttributionMatch[])[],
  capacity: Attribution['capacity'],
  maxChance: number,
): Attribution {
  if (capacity.chance > maxChance) return { kind: 'too-short', accounts: [], matches: [], capacity, maxChance };
  const ordered = groups
    .map((g) => [...g].sort((a, b) => a.row.issuedAt - b.row.issuedAt || a.row.id - b.row.id))
    .filter((g) => g.length > 0);
  const accounts = new Map<string, { matches: AttributionMatch[]; chance: number; tiedWith: Set<string> }>();
  for (const g of ordered) {
    const names = [...new Set(g.map((m) => m.row.accountId))];
    for (const m of g) {
      let a = accounts.get(m.row.accountId);
      if (a === undefined) accounts.set(m.row.accountId, (a = { matches: [], chance: m.chance, tiedWith: new Set() }));
      a.matches.push(m);
      for (const other of names) if (other !== m.row.accountId) a.tiedWith.add(other);
    }
  }
  const list = [...accounts].map(([accountId, a]): AccountAttribution => ({ accountId, ...a, tiedWith: [...a.tiedWith] }));
  const first = ordered[0];
  const kind: AttributionKind =
    first === undefined ? 'none' : new Set(first.map((m) => m.row.accountId)).size > 1 ? 'ambiguous' : 'attributed';
  return { kind, accounts: list, matches: ordered.flat(), capacity, maxChance };
}
