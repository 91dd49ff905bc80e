/**
 * The PDF renderer on its own (real jsPDF, real pdf.js through unpdf): every text run is drawn in the
 * embedded font that has its glyphs, runs line up, lines wrap inside the page, and what jsPDF cannot
 * do with Devanagari (one glyph per character, no conjuncts) is what the README says.
 */
import { extractText, getDocumentProxy } from 'unpdf';
import { jsPDF } from 'jspdf';
import { describe, expect, it, vi } from 'vitest';
import type { Appointment } from '../../../src/core/domain.js';
import { parsedFontCache } from '../../../src/services/documents/parsedFontCache.js';
import { JsPdfDocumentRenderer } from '../../../src/services/documents/pdfRenderer.js';
import { TEST_SETTINGS } from '../../support/engineHarness.js';
import { paidAppointment } from './paidAppointment.js';
import { drawnRuns, embeddedFonts } from './pdfInspect.js';

const renderer = new JsPdfDocumentRenderer();
const clinic = TEST_SETTINGS.clinic;
const A4_WIDTH = 595.28;
const MARGIN = 56;

function appointment(name: string): Appointment {
  return { ...paidAppointment('APT-TEST', name), invoiceNo: 'INV-2026-000007' };
}

async function invoiceFor(name: string, clinicInfo = clinic): Promise<Uint8Array> {
  return renderer.renderInvoice(appointment(name), clinicInfo, { specialty: 'General Physician', issuedAt: new Date('2026-11-21T05:00:00Z'), invoiceNo: 'INV-2026-000007' });
}

async function confirmationFor(name: string): Promise<Uint8Array> {
  return renderer.renderConfirmation(appointment(name), clinic, { specialty: 'General Physician', issuedAt: new Date('2026-11-21T05:00:00Z') });
}

/** The PDF's bytes as text, without what differs from one render to the next: the creation date and the file ID. */
function withoutRenderStamp(bytes: Uint8Array): string {
  const pdf = Buffer.from(bytes).toString('latin1');
  expect(pdf).toMatch(/\/CreationDate \(D:[^)]*\)/);
  return pdf.replace(/\/CreationDate \(D:[^)]*\)/g, '').replace(/\/ID \[ <[0-9a-fA-F]+> <[0-9a-fA-F]+> \]/g, '');
}

/** Size of each embedded font program before compression (its /Length1), by font name. */
function fontProgramSizes(bytes: Uint8Array): Record<string, number> {
  const pdf = Buffer.from(bytes).toString('latin1');
  const sizes: Record<string, number> = {};
  for (const [, name, file] of pdf.matchAll(/\/FontName \/(\S+)\s+\/FontFile2 (\d+) 0 R/g)) {
    const length1 = new RegExp(`\\n${file} 0 obj\\s*<<[^>]*/Length1 (\\d+)`).exec(pdf)?.[1];
    sizes[name!] = Number(length1);
  }
  return sizes;
}

async function textItems(bytes: Uint8Array) {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  expect(pdf.numPages).toBe(1);
  const content = await (await pdf.getPage(1)).getTextContent();
  return content.items.flatMap((item) => ('str' in item ? [{ str: item.str, x: item.transform[4] as number, y: item.transform[5] as number, width: item.width, font: item.fontName }] : []));
}

async function lines(bytes: Uint8Array): Promise<string[]> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.split('\n').map((line) => line.trim());
}

describe('fonts in the PDF', () => {
  it('draws a mixed-script name run by run, Devanagari in Noto Sans Devanagari, the rest in DejaVu Serif, lined up', async () => {
    const bytes = await invoiceFor('Asha राव');
    expect(await lines(bytes)).toContain('Patient: Asha राव (Asha Rav)');
    expect(embeddedFonts(bytes)).toEqual(['DejaVuSerif', 'NotoSansDevanagari']);

    const runs = drawnRuns(bytes);
    const patient = runs.findIndex((run) => run.font === 'NotoSansDevanagari');
    // "Patient: Asha " | "राव" | " (Asha Rav)": 14, 3 and 11 characters, one glyph each.
    expect(runs.slice(patient - 1, patient + 2)).toEqual([
      { font: 'DejaVuSerif', glyphs: 14 },
      { font: 'NotoSansDevanagari', glyphs: 3 },
      { font: 'DejaVuSerif', glyphs: 11 },
    ]);

    // Each run starts where the one before it ends (pdf.js leaves out the spaces at run ends): no overlap, no gap wider than a space.
    const items = (await textItems(bytes)).filter((item) => item.str.trim());
    const line = items.filter((item) => item.y === items.find((i) => i.str.includes('राव'))!.y);
    expect(line.map((item) => item.str)).toEqual(['Patient: Asha', 'राव', '(Asha Rav)']);
    expect(new Set(line.map((item) => item.font)).size).toBe(2);
    for (let i = 1; i < line.length; i += 1) {
      const gap = line[i]!.x - (line[i - 1]!.x + line[i - 1]!.width);
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThan(11 * 0.4);
    }
  });

  it('embeds only DejaVu Serif when nothing is Devanagari, and prints accents (typed as separate marks too) and ₹', async () => {
    const bytes = await invoiceFor('Zoe\u0308 Mu\u0308ller');
    expect(embeddedFonts(bytes)).toEqual(['DejaVuSerif']);
    expect(await lines(bytes)).toEqual(expect.arrayContaining(['Patient: Zoë Müller', 'Amount: ₹500.00']));
  });

  it('prints "?" for a character neither font has, rather than dropping it', async () => {
    expect(await lines(await invoiceFor('Mei 漢 Li'))).toContain('Patient: Mei ? Li');
  });

  it('wraps a long mixed-script line inside the margins, keeping every word', async () => {
    const address = Array.from({ length: 6 }, (_, i) => `Flat ${i + 1}, श्री गणेश निवास, MG Road`).join(', ');
    const bytes = await invoiceFor('Asha Rao', { ...clinic, address });
    const items = await textItems(bytes);
    for (const item of items) expect(item.x + item.width).toBeLessThanOrEqual(A4_WIDTH - MARGIN + 0.01);
    const text = (await lines(bytes)).join(' ');
    for (let i = 1; i <= 6; i += 1) expect(text).toContain(`Flat ${i}, श्री गणेश निवास, MG Road`);
    expect(text).toContain('(Flat 1, Shri Ganesh Nivas, MG Road');
    expect(new Set(items.filter((item) => item.str.includes('निवास')).map((item) => item.y)).size).toBeGreaterThan(1);
  });

  it('breaks a word too long for a line between letters, never inside a letter with its vowel sign', async () => {
    const word = 'किशोर'.repeat(30);
    const bytes = await invoiceFor(word);
    const items = await textItems(bytes);
    for (const item of items) expect(item.x + item.width).toBeLessThanOrEqual(A4_WIDTH - MARGIN + 0.01);
    const pieces = items.filter((item) => /[\u0900-\u097F]/.test(item.str)).map((item) => item.str.replace('Patient: ', ''));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(word);
    // Each piece starts with a consonant, never with a vowel sign cut off from it.
    for (const piece of pieces) expect(piece).toMatch(/^[कशर]/);
  });
});

describe('Devanagari, as far as jsPDF can draw it', () => {
  it('a simple name comes out as typed, followed by its transliteration', async () => {
    const bytes = await invoiceFor('आशा राव');
    expect(await lines(bytes)).toContain('Patient: आशा राव (Asha Rav)');
    // The space between the two words stays in the Devanagari run: one run of 7 characters.
    expect(drawnRuns(bytes)).toContainEqual({ font: 'NotoSansDevanagari', glyphs: 7 });
  });

  it('a conjunct makes a valid PDF, but jsPDF draws one glyph per character: no conjunct glyph, as the README says', async () => {
    const bytes = await invoiceFor('क्षमा');
    expect(await lines(bytes)).toContain('Patient: क्षमा (Kshama)');
    // क ् ष म ा: a shaping engine would draw the conjunct क्ष as one glyph (4 in all); jsPDF draws 5.
    expect(drawnRuns(bytes).filter((run) => run.font === 'NotoSansDevanagari')).toEqual([{ font: 'NotoSansDevanagari', glyphs: 5 }]);
  });
});

describe('documents rendered one after another', () => {
  it('each holds exactly its own text and fonts, whatever was rendered before it', async () => {
    parsedFontCache()?.clear();
    const first = { latin: await confirmationFor('Zoë Müller'), devanagari: await invoiceFor('आशा राव') };
    const latin = await confirmationFor('Zoë Müller');
    const devanagari = await invoiceFor('आशा राव');
    const ravi = await invoiceFor('Ravi Kumar');

    const latinLines = await lines(latin);
    expect(latinLines).toContain('Patient: Zoë Müller');
    expect(latinLines.join('\n')).not.toMatch(/आशा|Asha|Ravi/);
    expect(latinLines).toEqual(await lines(first.latin));
    expect(embeddedFonts(latin)).toEqual(['DejaVuSerif']);

    const devanagariLines = await lines(devanagari);
    expect(devanagariLines).toContain('Patient: आशा राव (Asha Rav)');
    expect(devanagariLines.join('\n')).not.toMatch(/Zoë|Müller|Ravi/);
    expect(devanagariLines).toEqual(await lines(first.devanagari));

    const raviLines = await lines(ravi);
    expect(raviLines).toContain('Patient: Ravi Kumar');
    expect(raviLines.join('\n')).not.toMatch(/आशा|Asha|Zoë|Müller/);
    expect(embeddedFonts(ravi)).toEqual(['DejaVuSerif']);
  });

  it('a document after ones with accents and Devanagari is byte for byte the one rendered first with freshly read fonts', async () => {
    parsedFontCache()?.clear();
    const fresh = { ascii: await invoiceFor('Ravi Kumar'), devanagari: await invoiceFor('Asha राव') };

    // Other glyphs in both fonts, and a second Devanagari document before the one compared.
    await invoiceFor('Zoë Łukasz Müller-Ölçek');
    await confirmationFor('क्षमा किशोर Ærø');
    const devanagari = await invoiceFor('Asha राव');
    await invoiceFor('ऋषि Ñuñez');
    const ascii = await invoiceFor('Ravi Kumar');

    expect(Object.keys(fontProgramSizes(fresh.devanagari))).toEqual(['DejaVuSerif', 'NotoSansDevanagari']);
    expect(fontProgramSizes(ascii)).toEqual(fontProgramSizes(fresh.ascii));
    expect(withoutRenderStamp(ascii)).toBe(withoutRenderStamp(fresh.ascii));
    expect(fontProgramSizes(devanagari)).toEqual(fontProgramSizes(fresh.devanagari));
    expect(withoutRenderStamp(devanagari)).toBe(withoutRenderStamp(fresh.devanagari));
  });

  it('parses each font file once, not once per document', async () => {
    parsedFontCache()?.clear();
    const parse = vi.spyOn((jsPDF.API as unknown as { TTFFont: { prototype: { parse(): unknown } } }).TTFFont.prototype, 'parse');
    try {
      await invoiceFor('Asha राव');
      await invoiceFor('आशा राव');
      await confirmationFor('Ravi Kumar');
      // DejaVu Serif and Noto Sans Devanagari once each, where every document used to parse its own.
      expect(parse).toHaveBeenCalledTimes(2);
      expect(parsedFontCache()?.size).toBe(2);
    } finally {
      parse.mockRestore();
    }
  });
});
