/**
 * Which embedded font draws which part of a text. jsPDF draws a string in one font, so a line is cut
 * into runs by script: Devanagari (with the joiners and combining marks that follow it, and the
 * spaces between Devanagari words) goes to the Devanagari font, everything else to the text font. A
 * character its script's font lacks falls back to the other font, and one neither has becomes "?"
 * rather than silently vanishing.
 */
import { isDevanagariCodePoint, isZeroWidthJoiner } from './devanagari.js';
import type { EmbeddedFont } from './fonts.js';

/** The faces a document can draw with. */
export interface DocumentFonts {
  /** Latin, accents, the rupee sign, and anything not Devanagari. */
  text: EmbeddedFont;
  /** Devanagari letters, signs and digits. */
  devanagari: EmbeddedFont;
}

/** A piece of a line drawn in one font. */
export interface FontRun {
  font: EmbeddedFont;
  text: string;
}

/** Shown for a character no embedded font can draw. */
export const MISSING_GLYPH = '?';

/** Marks that combine with the character before them and so are drawn in its font. */
function attachesToPrevious(cp: number): boolean {
  return (
    isZeroWidthJoiner(cp) ||
    (cp >= 0x0300 && cp <= 0x036f) || // Combining Diacritical Marks
    (cp >= 0x1ab0 && cp <= 0x1aff) || // Combining Diacritical Marks Extended
    (cp >= 0x20d0 && cp <= 0x20ff) || // Combining Diacritical Marks for Symbols
    (cp >= 0xfe20 && cp <= 0xfe2f) // Combining Half Marks
  );
}

function isSpace(cp: number): boolean {
  return cp === 0x20 || cp === 0xa0;
}

/** Cuts a text into runs, each in the embedded font that has its glyphs, in reading order. */
export function fontRuns(text: string, fonts: DocumentFonts): FontRun[] {
  const chars = Array.from(text);
  const runs: FontRun[] = [];
  let previous: EmbeddedFont | undefined;
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i]!;
    const cp = ch.codePointAt(0)!;
    let preferred: EmbeddedFont;
    if (isDevanagariCodePoint(cp)) preferred = fonts.devanagari;
    else if (attachesToPrevious(cp) && previous) preferred = previous;
    else if (isSpace(cp) && previous === fonts.devanagari && nextIsDevanagari(chars, i + 1)) preferred = fonts.devanagari;
    else preferred = fonts.text;
    const other = preferred === fonts.text ? fonts.devanagari : fonts.text;
    let font = preferred;
    let drawn = ch;
    if (!preferred.covers(cp)) {
      if (other.covers(cp)) font = other;
      else {
        font = fonts.text;
        drawn = MISSING_GLYPH;
      }
    }
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += drawn;
    else runs.push({ font, text: drawn });
    previous = font;
  }
  return runs;
}

/** Whether the next character that is not a space is Devanagari (so a space sits inside a Devanagari phrase). */
function nextIsDevanagari(chars: string[], from: number): boolean {
  for (let i = from; i < chars.length; i += 1) {
    const cp = chars[i]!.codePointAt(0)!;
    if (!isSpace(cp)) return isDevanagariCodePoint(cp);
  }
  return false;
}
