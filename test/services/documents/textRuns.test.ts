/**
 * Cutting text into font runs, and the fonts' glyph coverage they rely on (the real font files from
 * their packages).
 */
import { describe, expect, it } from 'vitest';
import { dejaVuSerif, notoSansDevanagari } from '../../../src/services/documents/fonts.js';
import { fontRuns } from '../../../src/services/documents/textRuns.js';
import { transliterateDevanagari, withTransliteration } from '../../../src/services/documents/devanagari.js';

const fonts = { text: dejaVuSerif(), devanagari: notoSansDevanagari() };
const runs = (text: string) => fontRuns(text, fonts).map((run) => [run.font.family, run.text]);

describe('the embedded fonts', () => {
  it('are read once per process', () => {
    expect(dejaVuSerif()).toBe(dejaVuSerif());
    expect(notoSansDevanagari()).toBe(notoSansDevanagari());
    expect(dejaVuSerif().regular.slice(0, 4)).toBe('\x00\x01\x00\x00');
  });

  it('know which characters they have glyphs for', () => {
    const serif = dejaVuSerif();
    const deva = notoSansDevanagari();
    expect(['₹', 'ë', 'ł', 'Ж'].every((ch) => serif.covers(ch.codePointAt(0)!))).toBe(true);
    expect(serif.covers('क'.codePointAt(0)!)).toBe(false);
    expect([...'कषमा्ं।॥़०'].every((ch) => deva.covers(ch.codePointAt(0)!))).toBe(true);
    expect(deva.covers(0x200d)).toBe(true);
    expect(deva.covers('漢'.codePointAt(0)!)).toBe(false);
    expect(serif.covers('漢'.codePointAt(0)!)).toBe(false);
  });
});

describe('fontRuns', () => {
  it('gives Devanagari to the Devanagari font and the rest to the text font', () => {
    expect(runs('Asha राव')).toEqual([['DejaVuSerif', 'Asha '], ['NotoSansDevanagari', 'राव']]);
    expect(runs('Patient: आशा राव (Asha Rav)')).toEqual([
      ['DejaVuSerif', 'Patient: '],
      ['NotoSansDevanagari', 'आशा राव'],
      ['DejaVuSerif', ' (Asha Rav)'],
    ]);
    expect(runs('Zoë Müller ₹500')).toEqual([['DejaVuSerif', 'Zoë Müller ₹500']]);
  });

  it('keeps joiners, nukta, virama and dandas with the Devanagari letters', () => {
    expect(runs('क्\u200Dष')).toEqual([['NotoSansDevanagari', 'क्\u200Dष']]);
    expect(runs('क्\u200Cष')).toEqual([['NotoSansDevanagari', 'क्\u200Cष']]);
    expect(runs('ज़ैनब। ok')).toEqual([['NotoSansDevanagari', 'ज़ैनब।'], ['DejaVuSerif', ' ok']]);
    expect(runs('\u1CD0क\uA8E0')).toEqual([['NotoSansDevanagari', '\u1CD0क\uA8E0']]);
  });

  it('falls back to the other font for a character only it has, and to "?" when neither has it', () => {
    // North Indic fraction signs: not Devanagari by block, but only the Devanagari font has them.
    expect(runs('1\uA830')).toEqual([['DejaVuSerif', '1'], ['NotoSansDevanagari', '\uA830']]);
    expect(runs('Mei 漢 😀')).toEqual([['DejaVuSerif', 'Mei ? ?']]);
  });
});

describe('transliteration', () => {
  it('writes Devanagari in Latin letters, with Hindi final-vowel dropping', () => {
    expect(transliterateDevanagari('आशा राव')).toBe('Asha Rav');
    expect(transliterateDevanagari('कमल किशोर')).toBe('Kamal Kishor');
    expect(transliterateDevanagari('क्षमा')).toBe('Kshama');
    expect(transliterateDevanagari('ज़ैनब क़ुरैशी')).toBe('Zainab Quraishi');
    expect(transliterateDevanagari('श्री गणेश।')).toBe('Shri Ganesh.');
    expect(transliterateDevanagari('क्\u200Dष')).toBe('Ksha');
    expect(transliterateDevanagari('आरोग्य मिश्र')).toBe('Arogya Mishra');
    expect(transliterateDevanagari('आनन्द वसन्त कृष्ण')).toBe('Anand Vasant Krishna');
  });

  it('follows Devanagari text with its transliteration, and leaves other text alone', () => {
    expect(withTransliteration('Asha राव')).toBe('Asha राव (Asha Rav)');
    expect(withTransliteration('Zoë Müller')).toBe('Zoë Müller');
  });
});
