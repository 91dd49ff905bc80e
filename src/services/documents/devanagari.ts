/**
 * Devanagari in PDFs. The letters are drawn in an embedded Devanagari font (see fonts.ts and
 * textRuns.ts), but jsPDF places one glyph per character and has no shaping engine: conjuncts and
 * half-forms (क्ष, त्र), reph (र्म) are not formed and the i-matra (कि) is not moved before its
 * consonant, so a name like "क्षमा" prints as separate letters with visible viramas. Every
 * Devanagari text is therefore followed by a simple Latin transliteration ("आशा राव (Asha Rav)"),
 * which staff can read and match whatever the shaping. The same transliteration lets the intent
 * rules match a doctor's name written in Hindi against the name the clinic typed in English.
 */

const CONSONANTS: Record<string, string> = {
  क: 'k', ख: 'kh', ग: 'g', घ: 'gh', ङ: 'n', च: 'ch', छ: 'chh', ज: 'j', झ: 'jh', ञ: 'n',
  ट: 't', ठ: 'th', ड: 'd', ढ: 'dh', ण: 'n', त: 't', थ: 'th', द: 'd', ध: 'dh', न: 'n',
  प: 'p', फ: 'ph', ब: 'b', भ: 'bh', म: 'm', य: 'y', र: 'r', ल: 'l', ळ: 'l', व: 'v',
  श: 'sh', ष: 'sh', स: 's', ह: 'h',
  क़: 'q', ख़: 'kh', ग़: 'gh', ज़: 'z', ड़: 'r', ढ़: 'rh', फ़: 'f', य़: 'y',
};
const VOWELS: Record<string, string> = {
  अ: 'a', आ: 'a', इ: 'i', ई: 'i', उ: 'u', ऊ: 'u', ऋ: 'ri', ॠ: 'ri', ए: 'e', ऐ: 'ai', ओ: 'o', औ: 'au', ऑ: 'o',
  ऍ: 'e', ऎ: 'e', ऒ: 'o', ॲ: 'e', ॐ: 'om',
};
const MATRAS: Record<string, string> = {
  'ा': 'a', 'ि': 'i', 'ी': 'i', 'ु': 'u', 'ू': 'u', 'ृ': 'ri', 'ॄ': 'ri', 'े': 'e', 'ै': 'ai', 'ो': 'o', 'ौ': 'au', 'ॉ': 'o',
  'ॅ': 'e', 'ॆ': 'e', 'ॊ': 'o',
};
const SIGNS: Record<string, string> = { 'ं': 'n', 'ँ': 'n', 'ः': 'h' };
/** Punctuation with a Latin counterpart. */
const PUNCTUATION: Record<string, string> = { '।': '.', '॥': '.', 'ऽ': "'", '॰': '.' };
const ZERO_WIDTH_JOINERS = new Set([0x200c, 0x200d]);
/** Nasal consonants, and the stops that make a final cluster with them lose its vowel ("वसन्त" is Vasant). */
const NASALS = new Set([...'ङञणनम']);
const STOPS = new Set([...'कखगघचछजझटठडढतथदधपफबभ']);
const VIRAMA = '्';
const NUKTA = '़';
const DIGITS = '०१२३४५६७८९';

/**
 * Whether a code point is Devanagari: the Devanagari block (letters, signs, nukta, virama, dandas,
 * digits), Vedic Extensions and Devanagari Extended.
 */
export function isDevanagariCodePoint(cp: number): boolean {
  return (cp >= 0x0900 && cp <= 0x097f) || (cp >= 0x1cd0 && cp <= 0x1cff) || (cp >= 0xa8e0 && cp <= 0xa8ff);
}

/** Zero-width (non-)joiner: it belongs to the letters around it (it picks a conjunct's form). */
export function isZeroWidthJoiner(cp: number): boolean {
  return ZERO_WIDTH_JOINERS.has(cp);
}

/** Whether the text has any Devanagari character. */
export function hasDevanagari(text: string): boolean {
  for (const ch of text) if (isDevanagariCodePoint(ch.codePointAt(0)!)) return true;
  return false;
}

/** The text, followed by its Latin transliteration in parentheses when it has Devanagari. */
export function withTransliteration(text: string): string {
  return hasDevanagari(text) ? `${text} (${transliterateDevanagari(text)})` : text;
}

/**
 * Latin transliteration of Devanagari words ("आशा राव" -> "Asha Rav"); other characters are kept as
 * they are, Devanagari signs without a Latin letter are dropped.
 */
export function transliterateDevanagari(text: string): string {
  const chars = [...text.normalize('NFC')];
  let out = '';
  let wordStart = true;
  /** The previous consonant when it ended in a virama: this one closes a conjunct. */
  let conjunctStart: string | undefined;
  for (let i = 0; i < chars.length; i += 1) {
    let ch = chars[i]!;
    // A joiner only picks how a conjunct is drawn: no letter of its own, and the conjunct goes on.
    if (isZeroWidthJoiner(ch.codePointAt(0)!)) continue;
    const closesConjunctOf = conjunctStart;
    conjunctStart = undefined;
    if (CONSONANTS[ch] !== undefined && chars[i + 1] === NUKTA) {
      // A nukta changes the sound where Latin has a letter for it (ज़ is z); otherwise it is dropped.
      if (CONSONANTS[ch + NUKTA] !== undefined) ch += NUKTA;
      i += 1;
    }
    let piece: string;
    if (CONSONANTS[ch] !== undefined) {
      const next = chars[i + 1];
      piece = CONSONANTS[ch]!;
      if (next === VIRAMA) {
        i += 1;
        conjunctStart = ch;
      } else if (next !== undefined && MATRAS[next] !== undefined) {
        piece += MATRAS[next];
        i += 1;
      } else if (next !== undefined && (CONSONANTS[next] !== undefined || VOWELS[next] !== undefined || SIGNS[next] !== undefined)) {
        piece += 'a';
      } else if (closesConjunctOf !== undefined && !(NASALS.has(closesConjunctOf) && STOPS.has(ch))) {
        // A word ending in a conjunct keeps its vowel ("मिश्र" is Mishra, "आरोग्य" Arogya), except
        // after a nasal and a stop ("आनन्द" is Anand).
        piece += 'a';
      }
      // Else: end of a word; Hindi drops the inherent vowel there ("राव" is Rav, not Rava).
    } else if (VOWELS[ch] !== undefined) {
      piece = VOWELS[ch]!;
    } else if (SIGNS[ch] !== undefined) {
      piece = SIGNS[ch]!;
    } else if (ch === NUKTA || ch === VIRAMA) {
      piece = '';
    } else if (DIGITS.includes(ch)) {
      piece = String(DIGITS.indexOf(ch));
    } else if (PUNCTUATION[ch] !== undefined) {
      out += PUNCTUATION[ch];
      wordStart = true;
      continue;
    } else if (isDevanagariCodePoint(ch.codePointAt(0)!)) {
      // Accents and Vedic marks have no Latin letter.
      piece = '';
    } else {
      out += ch;
      wordStart = /\s|-/.test(ch);
      continue;
    }
    if (wordStart && piece) {
      piece = piece[0]!.toUpperCase() + piece.slice(1);
      wordStart = false;
    }
    out += piece;
  }
  return out;
}
