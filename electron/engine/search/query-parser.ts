/*
 * Query arithmetic in the search box: 'beach -people +sunset'.
 *
 * Rules (predictable over clever):
 * - Words without a sign form the base phrase, in order: 'dog on a beach' is one phrase, embedded as typed.
 * - A word starting with '+' or '-' is a separate term added or subtracted: '+sunset', '-people'. A quoted phrase
 *   after the sign is one term: -"red car". A sign inside a word ('t-shirt', 'black-and-white') is just a letter.
 * - Subtracted terms weigh NEGATIVE_WEIGHT: CLIP's text embeddings share a large common component, so subtracting
 *   a whole unit vector also cancels much of what the query has in common with every caption and overshoots.
 */

export interface QueryTerm {
  text: string;
  /** +1 for the base phrase and added terms, -NEGATIVE_WEIGHT for subtracted ones. */
  weight: number;
}

export const NEGATIVE_WEIGHT = 0.5;

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** Splits on whitespace, keeping "quoted phrases" (with an optional leading sign) whole. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const pattern = /([+-]?)"([^"]*)"?|(\S+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[3] !== undefined) out.push(match[3]);
    else out.push(`${match[1]}\u0000${match[2] ?? ''}`); // NUL marks a quoted phrase (NULs never reach here)
  }
  return out;
}

export function parseQuery(text: string): QueryTerm[] {
  const base: string[] = [];
  const terms: QueryTerm[] = [];
  for (const token of tokens(text)) {
    const quoted = token.indexOf('\u0000');
    const sign = quoted >= 0 ? token.slice(0, quoted) : /^[+-]/.test(token) ? token[0]! : '';
    const body = (quoted >= 0 ? token.slice(quoted + 1) : sign ? token.slice(1) : token).trim();
    if (body === '' || /^[+-]+$/.test(body)) continue;
    if (sign === '+') terms.push({ text: body, weight: 1 });
    else if (sign === '-') terms.push({ text: body, weight: -NEGATIVE_WEIGHT });
    else base.push(body);
  }
  const all = base.length > 0 ? [{ text: base.join(' '), weight: 1 }, ...terms] : terms;
  // The same term twice counts once (typing '+sunset +sunset' should not double it).
  const seen = new Map<string, QueryTerm>();
  for (const term of all) {
    const key = `${Math.sign(term.weight)}:${term.text.toLowerCase()}`;
    if (!seen.has(key)) seen.set(key, term);
  }
  const unique = [...seen.values()];
  if (unique.length > 0 && !unique.some((t) => t.weight > 0)) {
    throw new QueryError('the query only subtracts: add something to look for, e.g. "beach -people"');
  }
  return unique;
}
