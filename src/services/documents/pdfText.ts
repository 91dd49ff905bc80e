/**
 * Text in two fonts on a jsPDF page: each line is drawn run by run (see textRuns.ts), each run placed
 * where the one before it ends, measured in its own font; lines wrap at spaces by the same measure.
 */
import type { jsPDF } from 'jspdf';
import type { EmbeddedFont } from './fonts.js';
import { fontRuns, type DocumentFonts } from './textRuns.js';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Measures, wraps and draws text on one jsPDF document, each run in its font (size: the document's current one). */
export class PdfTextWriter {
  private current: EmbeddedFont | undefined;
  /**
   * Faces added to this document. A face is embedded the first time a run needs it, so a document
   * without Devanagari does not carry the Devanagari font: every embedded face costs time and size
   * in every document that carries it, used or not.
   */
  private readonly embedded = new Set<EmbeddedFont>();

  constructor(
    private readonly doc: jsPDF,
    private readonly fonts: DocumentFonts,
  ) {
    this.use(fonts.text);
  }

  /** Width of the text in points at the current font size. */
  width(text: string): number {
    let total = 0;
    for (const run of fontRuns(text, this.fonts)) {
      this.use(run.font);
      total += this.doc.getTextWidth(run.text);
    }
    return total;
  }

  /** Draws one line with its left end at x and baseline at y. */
  draw(text: string, x: number, y: number): void {
    let at = x;
    for (const run of fontRuns(text, this.fonts)) {
      this.use(run.font);
      this.doc.text(run.text, at, y);
      at += this.doc.getTextWidth(run.text);
    }
  }

  /**
   * The text cut into lines no wider than maxWidth at the current font size: at spaces, and inside
   * a word only when the word alone is too wide (between grapheme clusters, so a Devanagari letter
   * never loses its vowel sign).
   */
  wrap(text: string, maxWidth: number): string[] {
    // Most lines fit: one measurement instead of one per word.
    if (this.width(text) <= maxWidth) return [text];
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/(?<=\s)(?=\S)/)) {
      if (line && this.width((line + word).trimEnd()) > maxWidth) {
        lines.push(line.trimEnd());
        line = '';
      }
      line += word;
      if (this.width(line.trimEnd()) > maxWidth) {
        const pieces = this.breakWord(line, maxWidth);
        lines.push(...pieces.slice(0, -1));
        line = pieces[pieces.length - 1] ?? '';
      }
    }
    if (line.trimEnd() || lines.length === 0) lines.push(line.trimEnd());
    return lines;
  }

  private breakWord(word: string, maxWidth: number): string[] {
    const pieces: string[] = [];
    let piece = '';
    for (const { segment } of graphemes.segment(word)) {
      if (piece && this.width((piece + segment).trimEnd()) > maxWidth) {
        pieces.push(piece);
        piece = '';
      }
      piece += segment;
    }
    pieces.push(piece);
    return pieces;
  }

  private use(font: EmbeddedFont): void {
    if (this.current === font) return;
    if (!this.embedded.has(font)) {
      this.doc.addFileToVFS(`${font.family}.ttf`, font.regular);
      this.doc.addFont(`${font.family}.ttf`, font.family, 'normal');
      this.embedded.add(font);
    }
    this.doc.setFont(font.family, 'normal');
    this.current = font;
  }
}
