/**
 * Text normalisation shared by validation and menu matching. Patients type on phones in several
 * scripts: digits may be Devanagari (४२), spaces may be doubled, emoji may decorate answers.
 */

/** Code points of the digit zero in scripts used in India and neighbouring regions. */
const DIGIT_ZEROS = [0x0660, 0x06f0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66];

/** Replaces digits of other scripts with ASCII digits ("४२" -> "42"). */
export function toAsciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (digit) => {
    const code = digit.codePointAt(0)!;
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9);
    return zero === undefined ? digit : String(code - zero);
  });
}

/** Removes control characters (keeping line breaks), unifies Unicode forms and trims. */
export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\p{Cc}\p{Cf}]/gu, (ch) => (ch === '\n' ? ch : ''))
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Lower-cased letters and digits only, for comparing a typed answer with a label ("Dr. Asha!" -> "dr asha"). */
export function comparable(text: string): string {
  return toAsciiDigits(cleanText(text))
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();
}

/** Length in characters as a person counts them (an emoji is one). */
export function visibleLength(text: string): number {
  return [...text].length;
}
