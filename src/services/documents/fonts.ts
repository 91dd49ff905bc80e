/**
 * The Unicode fonts embedded in the PDFs, both from npm packages (jsPDF's 14 standard fonts only know
 * WinAnsi, so "₹", "ë" or "आ" would come out wrong):
 *
 * - DejaVu Serif (dejavu-fonts-ttf) for everything but Devanagari: Latin with accents, Greek,
 *   Cyrillic, the rupee sign. Chosen over DejaVu Sans because jsPDF copies whole font tables into
 *   every document's subset, and Serif (3,300 glyphs, 380 kB) costs half the time and size of Sans
 *   (parsing happens once per render thread, see parsedFontCache.ts).
 * - Noto Sans Devanagari regular (@expo-google-fonts/noto-sans-devanagari, OFL) for Devanagari.
 *
 * Each file is read once per process and kept, never per document.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ClinicError } from '../../core/errors.js';

/** A TrueType font ready to hand to jsPDF. */
export interface EmbeddedFont {
  /** Family name documents select. */
  family: string;
  /**
   * The TTF file as a binary (latin1) string, read once: jsPDF takes that form as it is, where base64
   * would be decoded again for every document.
   */
  regular: string;
  /** Unicode code points the regular face has a glyph for. */
  covers(codePoint: number): boolean;
}

/** A font file an installed package should ship is missing or is not a TrueType font jsPDF can read. */
export class FontFileError extends ClinicError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`Cannot use the PDF font ${file}: ${reason}. Reinstall the dependencies (npm ci).`);
  }
}

const cache = new Map<string, EmbeddedFont>();

/** Reads a TTF from an installed package once per process. */
function packagedFont(family: string, packagePath: string): EmbeddedFont {
  const known = cache.get(packagePath);
  if (known) return known;
  const require = createRequire(import.meta.url);
  let bytes: Buffer;
  try {
    bytes = readFileSync(require.resolve(packagePath));
  } catch (error) {
    throw new FontFileError(packagePath, error instanceof Error ? error.message : String(error));
  }
  // jsPDF reads TrueType outlines only (not CFF "OTTO" fonts), and recognises the raw form by this tag.
  if (bytes.length < 12 || bytes.readUInt32BE(0) !== 0x00010000) throw new FontFileError(packagePath, 'not a TrueType (glyf) font');
  const codePoints = readCmap(bytes);
  const font: EmbeddedFont = { family, regular: bytes.toString('latin1'), covers: (cp) => codePoints.has(cp) };
  cache.set(packagePath, font);
  return font;
}

/** DejaVu Serif: the text face (Latin, accents, the rupee sign). */
export function dejaVuSerif(): EmbeddedFont {
  return packagedFont('DejaVuSerif', 'dejavu-fonts-ttf/ttf/DejaVuSerif.ttf');
}

/** Noto Sans Devanagari regular: Devanagari letters, signs and digits. */
export function notoSansDevanagari(): EmbeddedFont {
  return packagedFont('NotoSansDevanagari', '@expo-google-fonts/noto-sans-devanagari/400Regular/NotoSansDevanagari_400Regular.ttf');
}

/**
 * Code points mapped by a TrueType font's format-4 cmap subtable (the Basic Multilingual Plane), so a
 * document can tell which letters a font cannot draw before jsPDF silently drops them.
 */
function readCmap(font: Buffer): Set<number> {
  const covered = new Set<number>();
  const tables = font.readUInt16BE(4);
  let cmapOffset = -1;
  for (let i = 0; i < tables; i += 1) {
    const record = 12 + i * 16;
    if (font.toString('latin1', record, record + 4) === 'cmap') cmapOffset = font.readUInt32BE(record + 8);
  }
  if (cmapOffset < 0) return covered;
  const subtables = font.readUInt16BE(cmapOffset + 2);
  for (let i = 0; i < subtables; i += 1) {
    const record = cmapOffset + 4 + i * 8;
    const offset = cmapOffset + font.readUInt32BE(record + 4);
    if (font.readUInt16BE(offset) !== 4) continue;
    const segments = font.readUInt16BE(offset + 6) / 2;
    const ends = offset + 14;
    const starts = ends + segments * 2 + 2;
    const deltas = starts + segments * 2;
    const rangeOffsets = deltas + segments * 2;
    for (let s = 0; s < segments; s += 1) {
      const end = font.readUInt16BE(ends + s * 2);
      const start = font.readUInt16BE(starts + s * 2);
      if (start === 0xffff) continue;
      const delta = font.readUInt16BE(deltas + s * 2);
      const rangeOffset = font.readUInt16BE(rangeOffsets + s * 2);
      for (let cp = start; cp <= end; cp += 1) {
        // A code point whose glyph id works out to 0 maps to .notdef: the font has no glyph for it.
        let glyph: number;
        if (rangeOffset === 0) {
          glyph = (cp + delta) & 0xffff;
        } else {
          const at = rangeOffsets + s * 2 + rangeOffset + (cp - start) * 2;
          const raw = font.readUInt16BE(at);
          glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
        }
        if (glyph !== 0) covered.add(cp);
      }
    }
    break;
  }
  return covered;
}
