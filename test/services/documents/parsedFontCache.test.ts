/**
 * The parsed-font cache on its own, with jsPDF's real TrueType parser and the real fonts: a font file
 * is known by its exact bytes, a font still held by an unwritten document is never handed out twice,
 * and a kept font writes exactly the subset jsPDF writes from a freshly parsed one.
 */
import { jsPDF } from 'jspdf';
import { describe, expect, it } from 'vitest';
import { dejaVuSerif, notoSansDevanagari } from '../../../src/services/documents/fonts.js';
import { ParsedFontCache, encodeTableDirectory, installParsedFontCache } from '../../../src/services/documents/parsedFontCache.js';
import '../../../src/services/documents/pdfRenderer.js';

interface Font {
  characterToGlyph(codePoint: number): number;
  subset: { encode(glyphIds: number[], indexToLocFormat: number): ArrayLike<number> };
  directory: { scalarType: number };
  head: { encode(indexToLocFormat: number): number[] };
}

/** jsPDF's TTFFont constructor itself: a font parsed from the file with nothing of this module on it. */
const TTFFont = (jsPDF.API as unknown as { TTFFont: new (file: Uint8Array) => Font }).TTFFont;

function fileOf(font: { regular: string }): Uint8Array {
  return new Uint8Array(Buffer.from(font.regular, 'latin1'));
}

function newCache(): ParsedFontCache {
  return new ParsedFontCache((file) => new TTFFont(file));
}

function open(cache: ParsedFontCache, file: Uint8Array): Font {
  return cache.open(file) as Font;
}

/** What writing a document does with each of its fonts: encode the subset it drew. */
function write(font: Font): number[] {
  return Array.from(font.subset.encode([0], 1));
}

function glyphsOf(font: Font, text: string): number[] {
  return [0, ...Array.from(text, (char) => font.characterToGlyph(char.codePointAt(0)!))];
}

describe('parsed fonts kept by their bytes', () => {
  it('gives back the same parsed font for the same bytes, and another for other bytes', () => {
    const cache = newCache();
    const dejaVu = fileOf(dejaVuSerif());
    const first = open(cache, dejaVu);
    write(first);

    // Same bytes in another buffer (each document converts the file anew).
    expect(open(cache, dejaVu.slice())).toBe(first);
    write(first);

    // Another font, and the same font with one byte of a glyph outline changed: same length, other bytes.
    const noto = open(cache, fileOf(notoSansDevanagari()));
    expect(noto).not.toBe(first);
    write(noto);
    const changed = dejaVu.slice();
    const glyf = tableOffset(changed, 'glyf');
    changed[glyf + 100] = changed[glyf + 100]! ^ 0xff;
    const other = open(cache, changed);
    expect(other).not.toBe(first);
    expect(other).not.toBe(noto);
    write(other);

    expect(open(cache, dejaVu)).toBe(first);
    expect(open(cache, fileOf(notoSansDevanagari()))).toBe(noto);
    expect(cache.size).toBe(3);
  });

  it('never hands out a font its document has not written yet: that open parses the file again', () => {
    const cache = newCache();
    const dejaVu = fileOf(dejaVuSerif());
    const held = open(cache, dejaVu);
    // A second addFont of the same file (in the same document, or after a document abandoned unwritten).
    const second = open(cache, dejaVu);
    expect(second).not.toBe(held);
    write(second);
    expect(open(cache, dejaVu)).toBe(second);
  });

  it('parses afresh after clear()', () => {
    const cache = newCache();
    const dejaVu = fileOf(dejaVuSerif());
    const first = open(cache, dejaVu);
    write(first);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(open(cache, dejaVu)).not.toBe(first);
  });
});

describe("a kept font's subset", () => {
  const samples = {
    DejaVuSerif: ['Ravi Kumar', 'Zoë Łukasz Müller-Ölçek ₹500.00', 'Appointment confirmation: Dr. Meera Iyer, 21 Nov 2026 11:00 (Asia/Kolkata)'],
    NotoSansDevanagari: ['आशा राव', 'क्षमा किशोर', 'श्री गणेश निवास ०१२३'],
  };

  it.each([
    ['DejaVuSerif', dejaVuSerif()],
    ['NotoSansDevanagari', notoSansDevanagari()],
  ] as const)('%s: byte for byte the subset jsPDF writes from a freshly parsed font, document after document', (family, font) => {
    const cache = newCache();
    for (let round = 0; round < 2; round += 1) {
      for (const text of samples[family]) {
        const kept = open(cache, fileOf(font));
        const fresh = new TTFFont(fileOf(font));
        const glyphs = glyphsOf(fresh, text);
        expect(glyphs.slice(1).every((glyph) => glyph !== 0)).toBe(true);
        const ours = Array.from(kept.subset.encode(glyphs, 1));
        expect(ours).toEqual(Array.from(fresh.subset.encode(glyphs, 1)));
        expect(ours.length).toBeGreaterThan(1000);
      }
    }
    expect(cache.size).toBe(1);
  });

  it("lays out tables of any length as jsPDF's table directory does, checksums and head adjustment included", () => {
    const fresh = new TTFFont(fileOf(dejaVuSerif()));
    const jsPdfEncode = (fresh.directory as unknown as { encode(tables: Record<string, ArrayLike<number>>): number[] }).encode;
    for (let length = 0; length < 9; length += 1) {
      const tables = {
        cmap: Array.from({ length }, (_, i) => (i * 37 + 255) % 256),
        head: fresh.head.encode(1),
        'OS/2': Array.from({ length: length + 3 }, (_, i) => 255 - i),
      };
      const ours = encodeTableDirectory(fresh.directory.scalarType, tables);
      expect(ours && Array.from(ours)).toEqual(jsPdfEncode.call(fresh.directory, tables));
    }
    // Nothing to lay out without a head table: left to jsPDF.
    expect(encodeTableDirectory(fresh.directory.scalarType, { cmap: [1, 2, 3] })).toBeUndefined();
  });
});

describe('installing the cache', () => {
  it('is installed on jsPDF once, by the renderer module', () => {
    const api = jsPDF.API as unknown as { TTFFont: { open: unknown } };
    const installedOpen = api.TTFFont.open;
    const cache = installParsedFontCache(jsPDF.API);
    expect(cache).toBeInstanceOf(ParsedFontCache);
    expect(installParsedFontCache(jsPDF.API)).toBe(cache);
    expect(api.TTFFont.open).toBe(installedOpen);
  });

  it('leaves a jsPDF without the expected TTFFont.open alone', () => {
    expect(installParsedFontCache({})).toBeUndefined();
    const noOpen = { TTFFont: function TTFFont() {} };
    expect(installParsedFontCache(noOpen)).toBeUndefined();
    expect(Object.keys(noOpen.TTFFont)).toEqual([]);
  });

  it('hands back, uncached, a parsed font that is not shaped as expected', () => {
    const odd = { subset: {} };
    const cache = new ParsedFontCache(() => odd);
    expect(cache.open(new Uint8Array([0, 1, 0, 0]))).toBe(odd);
    expect(cache.size).toBe(0);
  });
});

/** Offset of a table in a TrueType file, from its table directory. */
function tableOffset(file: Uint8Array, tag: string): number {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let i = 0; i < view.getUint16(4); i += 1) {
    const record = 12 + i * 16;
    if (String.fromCharCode(...file.subarray(record, record + 4)) === tag) return view.getUint32(record + 8);
  }
  throw new Error(`no ${tag} table`);
}
