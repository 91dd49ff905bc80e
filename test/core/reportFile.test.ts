import { describe, expect, it } from 'vitest';
import { checkReportSize, detectReportType } from '../../src/core/reportFile.js';
import { SMALL_PDF } from '../support/files.js';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);

describe('detectReportType', () => {
  it('recognises PDF, PNG and JPEG by their bytes', async () => {
    expect(await detectReportType(SMALL_PDF)).toEqual({ ok: true, value: { ext: 'pdf', mime: 'application/pdf' } });
    expect(await detectReportType(PNG)).toEqual({ ok: true, value: { ext: 'png', mime: 'image/png' } });
    expect(await detectReportType(JPEG)).toEqual({ ok: true, value: { ext: 'jpg', mime: 'image/jpeg' } });
  });

  it('refuses other content whatever it is called', async () => {
    const exe = Uint8Array.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff]);
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0]);
    for (const bytes of [exe, zip, new TextEncoder().encode('just text, named report.pdf')]) {
      const result = await detectReportType(bytes);
      expect(result).toEqual({ ok: false, problem: expect.stringContaining('PDF, JPG or PNG') });
    }
  });
});

describe('checkReportSize', () => {
  it('allows up to the limit and refuses empty or larger files', () => {
    expect(checkReportSize(1024, 1024).ok).toBe(true);
    expect(checkReportSize(1025, 1024)).toEqual({ ok: false, problem: expect.stringContaining('too large') });
    expect(checkReportSize(0, 1024)).toEqual({ ok: false, problem: expect.stringContaining('empty') });
  });
});
