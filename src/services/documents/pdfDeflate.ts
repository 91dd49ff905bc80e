/**
 * PDF streams deflated by Node's zlib instead of jsPDF's JavaScript deflate (fflate). Same filter
 * (/FlateDecode), same zlib format and level (6), so the PDF holds the same content, a little smaller;
 * the compressed bytes differ, the time to make them is less than half (the embedded font subset,
 * ~86 kB before compression, is most of it).
 *
 * jsPDF runs every stream through jsPDF.API.processDataByFilters; this wraps it and handles the one
 * chain documents use (FlateEncode alone), leaving any other chain to jsPDF. When jsPDF is not as
 * expected, it is left as it is.
 */
import { deflateSync, inflateSync } from 'node:zlib';

interface FilterResult {
  data: string;
  reverseChain: string;
}

type ProcessDataByFilters = ((data: string, filters: unknown) => FilterResult) & { [INSTALLED]?: true };

const INSTALLED = Symbol.for('clinic-booking-bot.pdfDeflate');

function flateOnly(filters: unknown): boolean {
  const chain = typeof filters === 'string' ? [filters] : filters;
  return Array.isArray(chain) && chain.length === 1 && (chain[0] === 'FlateEncode' || chain[0] === '/FlateEncode');
}

/** A stream's data (a binary string, one byte per character) deflated into a zlib stream. */
export function deflateStream(data: string): string {
  return deflateSync(Buffer.from(data, 'latin1')).toString('latin1');
}

/** Wraps jsPDF.API.processDataByFilters (once). Returns whether Node's zlib now deflates the streams. */
export function installNativeDeflate(api: unknown): boolean {
  if (typeof api !== 'object' || api === null) return false;
  const holder = api as { processDataByFilters?: unknown };
  const jsPdfFilters = holder.processDataByFilters as ProcessDataByFilters | undefined;
  if (typeof jsPdfFilters !== 'function') return false;
  if (jsPdfFilters[INSTALLED]) return true;

  // jsPDF must still answer FlateEncode with a zlib stream and /FlateDecode, or it keeps its own.
  try {
    const probe = jsPdfFilters.call(api, 'BT /F1 11 Tf ET \u00e9', ['FlateEncode']);
    if (probe.reverseChain !== '/FlateDecode' || inflateSync(Buffer.from(probe.data, 'latin1')).toString('latin1') !== 'BT /F1 11 Tf ET \u00e9') return false;
  } catch {
    return false;
  }

  const filters: ProcessDataByFilters = Object.assign(
    function processDataByFilters(this: unknown, data: string, chain: unknown): FilterResult {
      if (typeof data === 'string' && flateOnly(chain)) return { data: deflateStream(data), reverseChain: '/FlateDecode' };
      return jsPdfFilters.call(this, data, chain);
    },
    { [INSTALLED]: true as const },
  );
  holder.processDataByFilters = filters;
  return true;
}
