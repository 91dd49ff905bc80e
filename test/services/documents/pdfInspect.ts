/**
 * Reads what a PDF actually draws, below text extraction: which fonts are embedded, and for each text
 * run the font it is drawn in and how many glyphs it places (jsPDF writes Identity-H text as one
 * 2-byte glyph id per glyph, in "<hex> Tj" operators).
 */
import { inflateSync } from 'node:zlib';

/** One "<hex> Tj" of a page's content: the font's name and the number of glyphs drawn. */
export interface DrawnRun {
  font: string;
  glyphs: number;
}

function objects(pdf: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of pdf.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) found.set(match[1]!, match[2]!);
  return found;
}

/** Names of the fonts whose font file is embedded (FontFile2: TrueType). */
export function embeddedFonts(bytes: Uint8Array): string[] {
  const names: string[] = [];
  for (const body of objects(Buffer.from(bytes).toString('latin1')).values()) {
    if (!body.includes('/Type /FontDescriptor') || !body.includes('/FontFile2')) continue;
    const name = /\/FontName \/([^\s/]+)/.exec(body)?.[1];
    if (name) names.push(name);
  }
  return names.sort();
}

/** Every text run of the document's content streams, in drawing order. */
export function drawnRuns(bytes: Uint8Array): DrawnRun[] {
  const buffer = Buffer.from(bytes);
  const pdf = buffer.toString('latin1');
  const all = objects(pdf);
  const fontOf = new Map<string, string>();
  for (const match of pdf.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const base = /\/BaseFont \/([^\s/]+)/.exec(all.get(match[2]!) ?? '')?.[1];
    if (base) fontOf.set(match[1]!, base);
  }
  const runs: DrawnRun[] = [];
  for (const match of pdf.matchAll(/stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = pdf.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(buffer.subarray(start, end)).toString('latin1');
    } catch {
      continue; // Not a deflated stream (or not content): fonts are deflated too, and fail the parse below.
    }
    let font = '';
    for (const op of content.matchAll(/\/(F\d+) [\d.]+ Tf|<([0-9a-fA-F]*)> Tj/g)) {
      if (op[1]) font = fontOf.get(op[1]) ?? op[1];
      else runs.push({ font, glyphs: op[2]!.length / 4 });
    }
  }
  return runs;
}
