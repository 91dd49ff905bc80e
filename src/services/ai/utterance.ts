/**
 * A patient's message prepared for the rules: lower-cased, digits made ASCII, punctuation reduced to
 * what dates and times need, split into words; Latin-letter typos corrected against the lexicons.
 */
import Fuse from 'fuse.js';
import { cleanText, toAsciiDigits } from '../../core/text.js';

/** Lower-case text keeping letters, digits and the separators of "10:30", "30/11", "10.30", "a.m.". */
export function normalizeUtterance(text: string): string {
  return toAsciiDigits(cleanText(text))
    .toLowerCase()
    .replace(/[’'`]/g, '')
    .replace(/\b([ap])\.\s?m\b\.?/g, '$1m')
    // "10am" -> "10 am", "10baje" -> "10 baje", "28th" -> "28": the number and the word read separately.
    .replace(/(\d)(am|pm|baje|bje|hrs|बजे)/gu, '$1 $2')
    .replace(/(\d)(st|nd|rd|th)\b/g, '$1')
    .replace(/[^\p{L}\p{M}\p{N}:/.-]+/gu, ' ')
    // Separators count only between digits (30/11, 30-11, 10.30, 10:30); elsewhere they end a word.
    .replace(/(?<!\d)[/:.-]|[/:.-](?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function wordsOf(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split(' ');
}

/** Damerau-Levenshtein distance (optimal string alignment), enough to judge a typo. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** How many typos a word of this length may carry and still be recognised. */
export function typoAllowance(length: number): number {
  if (length < 5) return 0;
  return length < 8 ? 1 : 2;
}

/**
 * Corrects misspelt words ("apointment", "tomorow", "dermatolgist") to the nearest word of a known
 * vocabulary. fuse.js finds candidates; an edit-distance bound decides, so ordinary words that are
 * merely similar to a lexicon word are left alone.
 */
export class TypoCorrector {
  private readonly known: Set<string>;
  private readonly fuse: Fuse<string>;
  private readonly cache = new Map<string, string>();

  constructor(vocabulary: Iterable<string>) {
    this.known = new Set([...vocabulary].filter((word) => word.length > 0));
    const correctable = [...this.known].filter((word) => word.length >= 5 && /^[a-z]+$/.test(word));
    this.fuse = new Fuse(correctable, { includeScore: true, threshold: 0.4, ignoreLocation: true, minMatchCharLength: 3 });
  }

  correct(word: string): string {
    if (this.known.has(word) || word.length < 5 || !/^[a-z]+$/.test(word)) return word;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const allowance = typoAllowance(word.length);
    let best = word;
    let bestDistance = allowance + 1;
    for (const { item } of this.fuse.search(word, { limit: 5 })) {
      if (Math.abs(item.length - word.length) > allowance) continue;
      const distance = editDistance(word, item);
      if (distance < bestDistance) {
        best = item;
        bestDistance = distance;
      }
    }
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(word, best);
    return best;
  }
}

/** Whether `phrase` (words separated by single spaces) occurs in `words` as whole words. */
export function containsPhrase(joined: string, phrase: string): boolean {
  return ` ${joined} `.includes(` ${phrase} `);
}
