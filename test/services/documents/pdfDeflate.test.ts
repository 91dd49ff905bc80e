/**
 * PDF streams deflated by Node's zlib: the same bytes come back out of /FlateDecode, other filter
 * chains are still jsPDF's, and a jsPDF that does not deflate as expected is left alone.
 */
import { inflateSync } from 'node:zlib';
import { jsPDF } from 'jspdf';
import { describe, expect, it } from 'vitest';
import { deflateStream, installNativeDeflate } from '../../../src/services/documents/pdfDeflate.js';
import '../../../src/services/documents/pdfRenderer.js';

type Filters = (data: string, chain: unknown) => { data: string; reverseChain: string };
const api = jsPDF.API as unknown as { processDataByFilters: Filters };

/** Every byte value, as jsPDF hands a stream over: a string of one character per byte. */
const everyByte = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i)).repeat(40);

describe('streams deflated by zlib', () => {
  it('inflate back to exactly the bytes given', () => {
    const deflated = deflateStream(everyByte);
    expect(deflated.length).toBeLessThan(everyByte.length / 10);
    expect(inflateSync(Buffer.from(deflated, 'latin1')).toString('latin1')).toBe(everyByte);
  });

  it('are what jsPDF writes for FlateEncode, as /FlateDecode; other chains are left to jsPDF', () => {
    for (const chain of [['FlateEncode'], '/FlateEncode']) {
      const { data, reverseChain } = api.processDataByFilters(everyByte, chain);
      expect(reverseChain).toBe('/FlateDecode');
      expect(data).toBe(deflateStream(everyByte));
    }
    expect(api.processDataByFilters('AB', ['ASCIIHexEncode'])).toEqual({ data: '4142>', reverseChain: '/ASCIIHexDecode' });
    expect(api.processDataByFilters('AB', [])).toEqual({ data: 'AB', reverseChain: '' });
  });

  it('are installed once, and not at all on a jsPDF that does not deflate to zlib', () => {
    const installed = api.processDataByFilters;
    expect(installNativeDeflate(jsPDF.API)).toBe(true);
    expect(api.processDataByFilters).toBe(installed);

    expect(installNativeDeflate({})).toBe(false);
    const other: Filters = (data) => ({ data, reverseChain: '/FlateDecode' });
    const odd = { processDataByFilters: other };
    expect(installNativeDeflate(odd)).toBe(false);
    expect(odd.processDataByFilters).toBe(other);
  });
});
