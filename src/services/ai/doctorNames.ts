/**
 * Finds the doctor a patient names ("dr rajiv" -> Dr. Rajiv Sharma, "sharma ji", "डॉ राजीव") among the
 * clinic's doctors, tolerating typos. A name without a title ("book rajiv") is only taken when it is a
 * whole first or last name of exactly one doctor, so ordinary words are not mistaken for names.
 */
import Fuse from 'fuse.js';
import type { DoctorDirectoryEntry } from '../../core/ports.js';
import { comparable } from '../../core/text.js';
import { hasDevanagari, transliterateDevanagari } from '../documents/devanagari.js';
import { DOCTOR_TITLES } from './lexicon.js';
import { editDistance, typoAllowance } from './utterance.js';

interface NamePart {
  doctorId: string;
  part: string;
}

/** Name words that say nothing about who the doctor is. */
const NOISE = new Set(['dr', 'doctor', 'sample', 'mr', 'mrs', 'ms', 'prof', 'ji', 'sahab', 'saheb', 'madam', 'sir']);

function nameParts(name: string): string[] {
  return comparable(name.replace(/\([^)]*\)/g, ' ')).split(' ').filter((part) => part.length >= 2 && !NOISE.has(part));
}

export class DoctorNameMatcher {
  private readonly parts: NamePart[];
  private readonly fuse: Fuse<NamePart>;

  /** @param vocabulary words that are never taken as a name without a title (lexicon words) */
  constructor(
    doctors: readonly DoctorDirectoryEntry[],
    private readonly vocabulary: ReadonlySet<string>,
  ) {
    this.parts = doctors.flatMap((doctor) => nameParts(doctor.name).map((part) => ({ doctorId: doctor.id, part })));
    this.fuse = new Fuse(this.parts, { keys: ['part'], includeScore: true, threshold: 0.45, ignoreLocation: true });
  }

  /** Whether a word is (part of) one of the doctors' names. */
  isNamePart(word: string): boolean {
    return this.parts.some((p) => p.part === word);
  }

  /** The id of the doctor the words name, or null. */
  find(words: readonly string[]): string | null {
    // A name written in Hindi ("राजीव") is matched by its Latin spelling ("rajiv").
    const latin = words.map((word) => (hasDevanagari(word) ? transliterateDevanagari(word).toLowerCase() : word));
    // After a title: the next one or two words, with typos allowed.
    for (let i = 0; i < words.length; i++) {
      if (!DOCTOR_TITLES.includes(words[i]!)) continue;
      const candidates = [latin[i + 1], latin[i + 2]].filter((w): w is string => w !== undefined && w.length >= 3 && !this.vocabulary.has(w));
      const scores = new Map<string, number>();
      // Each name word that matches counts, so "dr rajiv sharma" beats another Rajiv.
      for (const candidate of candidates) {
        for (const [doctorId, distance] of this.closeParts(candidate, 1)) scores.set(doctorId, (scores.get(doctorId) ?? 0) + distance - 4);
      }
      const best = uniqueBest(scores);
      if (best) return best;
    }
    // Without a title: an exact first or last name of one doctor (a long one may carry one typo).
    const scores = new Map<string, number>();
    for (const word of latin) {
      if (word.length < 4 || this.vocabulary.has(word)) continue;
      for (const [doctorId, distance] of this.closeParts(word, word.length >= 8 ? 0 : -1)) {
        scores.set(doctorId, (scores.get(doctorId) ?? 0) + distance - 4);
      }
    }
    return uniqueBest(scores);
  }

  /** Doctors with a name part within the typo allowance of `word` (plus `extra`), with the distance. */
  private closeParts(word: string, extra: number): Map<string, number> {
    const found = new Map<string, number>();
    const allowance = Math.max(0, typoAllowance(word.length) + (word.length >= 4 || extra < 0 ? extra : 0));
    for (const { item } of this.fuse.search(word, { limit: 8 })) {
      const distance = editDistance(word, item.part);
      if (distance > allowance) continue;
      found.set(item.doctorId, Math.min(found.get(item.doctorId) ?? Infinity, distance));
    }
    return found;
  }
}

/** The key with the lowest score, unless another key ties with it (then nobody is meant for sure). */
function uniqueBest(scores: Map<string, number>): string | null {
  let best: string | null = null;
  let bestScore = Infinity;
  let tie = false;
  for (const [key, score] of scores) {
    if (score < bestScore) {
      best = key;
      bestScore = score;
      tie = false;
    } else if (score === bestScore) tie = true;
  }
  return tie ? null : best;
}
