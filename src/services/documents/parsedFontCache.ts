/**
 * Parsed TrueType fonts kept across PDFs. jsPDF parses the whole font file again for every document
 * that adds it (jsPDF.API.TTFFont.open, from its "addFont" handler), and at output encodes the font
 * subset through byte-at-a-time JavaScript arrays: most of a confirmation's render time. This module
 * wraps TTFFont.open so that the same font file, byte for byte, gets back the font parsed the first
 * time, with jsPDF's per-document state on it reset, and makes that font's subset encoding cheaper
 * while writing exactly the bytes jsPDF writes.
 *
 * Sharing one parsed font between documents is safe because a document holds it only from its addFont
 * until it is written, and the renderer builds and writes each document synchronously, one at a time
 * per thread (worker threads and the in-thread fallback alike): documents never interleave. Even so, a
 * font still held by a document that has not been written yet (a second addFont of the same file, or
 * a document abandoned by an error) is never handed out again: that open parses a fresh font.
 *
 * Everything here leans on jsPDF internals (checked against jsPDF 4.2.1). When they are not as
 * expected, jsPDF is left as it is: no cache, no error.
 */

/** A font table as jsPDF parsed it. */
interface TtfTable {
  exists: boolean;
  raw(): number[] | null;
}

/** The parts of a jsPDF TTFFont this module reads or resets. */
interface ParsedTtf {
  /** Per document: glyph widths (and encoding, kerning) jsPDF records as text is drawn. */
  Unicode?: unknown;
  /** Per document: glyph id -> code point, for the ToUnicode map. */
  toUnicode: Record<number, number>;
  /** Per document: the glyphs drawn, which the embedded subset keeps. */
  glyIdsUsed?: number[];
  subset: { encode(glyphIds: number[], indexToLocFormat?: number): ArrayLike<number> };
  contents: { pos: number };
  directory: TableDirectory;
  head: { encode(indexToLocFormat: number): number[] };
  hmtx: TtfTable & { widths: number[] };
  [table: string]: unknown;
}

interface TableDirectory {
  scalarType: number;
  encode(tables: Record<string, ArrayLike<number>>): ArrayLike<number>;
}

/** Tables jsPDF copies whole into every subset (jsPDF's names for them). */
const WHOLE_TABLES = ['cmap', 'hmtx', 'hhea', 'maxp', 'post', 'name', 'os2'] as const;

interface Entry {
  /** An own copy of the file: the key, compared in full. */
  bytes: Buffer;
  font: ParsedTtf;
  /**
   * The advance widths as parsed, put back should anything have changed them (jsPDF's WinAnsi output
   * rescales them in place; such a document never encodes a subset, so never frees the font anyway).
   */
  widths: readonly number[];
  /** Handed to a document that has not been written yet. */
  held: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether a freshly parsed font has everything this module relies on. */
function hasExpectedShape(font: unknown): font is ParsedTtf {
  if (!isObject(font)) return false;
  const { subset, contents, directory, head, hmtx, toUnicode } = font;
  return (
    isObject(toUnicode) &&
    isObject(subset) &&
    typeof subset.encode === 'function' &&
    typeof Object.getPrototypeOf(subset)?.constructor === 'function' &&
    isObject(contents) &&
    typeof contents.pos === 'number' &&
    isObject(directory) &&
    typeof directory.encode === 'function' &&
    typeof directory.scalarType === 'number' &&
    isObject(head) &&
    typeof head.encode === 'function' &&
    isObject(hmtx) &&
    Array.isArray(hmtx.widths) &&
    WHOLE_TABLES.every((tag) => isObject(font[tag]) && typeof (font[tag] as Record<string, unknown>).raw === 'function')
  );
}

/** The whole tables kept by {@link speedUpSubset}, as bytes with their word sums, by the array raw() hands out. */
const keptTables = new WeakMap<object, { bytes: Uint8Array; sum: number }>();

/**
 * Files from this size on are left to jsPDF: below it every sum of 32-bit words is an exact integer
 * (under 2^53), so summing in another order than jsPDF gives the same checksum.
 */
const MAX_EXACT_SIZE = 2 ** 23;

/**
 * The subset's tables laid out after a table directory, byte for byte as jsPDF's Directory.encode
 * lays them out (its searchRange and entrySelector arithmetic included), but into one preallocated
 * buffer instead of arrays concatenated and pushed a byte at a time. Undefined for anything jsPDF's
 * own code should handle (a tag that is not 4 characters, a missing table, no head table).
 */
export function encodeTableDirectory(scalarType: number, tables: Record<string, ArrayLike<number>>): Uint8Array | undefined {
  const tags = Object.keys(tables);
  const headerSize = 12 + tags.length * 16;
  let size = headerSize;
  for (const tag of tags) {
    const table = tables[tag];
    if (tag.length !== 4 || /[^\x20-\x7e]/.test(tag) || !table || typeof table.length !== 'number') return undefined;
    size += Math.ceil(table.length / 4) * 4;
  }
  if (!tags.includes('head') || size >= MAX_EXACT_SIZE) return undefined;

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const searchRange = Math.floor(Math.log(tags.length) / Math.log(2)) * 16;
  view.setUint32(0, scalarType >>> 0);
  view.setUint16(4, tags.length);
  view.setUint16(6, searchRange);
  view.setUint16(8, Math.floor(searchRange / Math.log(2)));
  view.setUint16(10, tags.length * 16 - searchRange);

  let offset = headerSize;
  let headOffset = 0;
  let tablesSum = 0;
  tags.forEach((tag, i) => {
    const table = tables[tag]!;
    const kept = keptTables.get(table);
    const sum = kept ? kept.sum : wordSum(table);
    const record = 12 + i * 16;
    for (let c = 0; c < 4; c += 1) out[record + c] = tag.charCodeAt(c);
    view.setUint32(record + 4, (sum & 0xffffffff) >>> 0);
    view.setUint32(record + 8, offset);
    view.setUint32(record + 12, table.length);
    out.set(kept ? kept.bytes : table, offset);
    if (tag === 'head') headOffset = offset;
    offset += Math.ceil(table.length / 4) * 4;
    tablesSum += sum;
  });
  // head.checkSumAdjustment over the whole file. jsPDF sums its words in order; every sum here is an
  // exact integer (the file is under MAX_EXACT_SIZE), so the directory's words plus each table's sum
  // is the same number.
  const fileSum = (wordSum(out.subarray(0, headerSize)) + tablesSum) & 0xffffffff;
  view.setUint32(headOffset + 8, (0xb1b0afba - fileSum) >>> 0);
  return out;
}

/** jsPDF's table checksum before its final `& 0xffffffff`: the big-endian 32-bit words, zero-padded, summed. */
function wordSum(data: ArrayLike<number>): number {
  let sum = 0;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) sum += data[i]! * 0x1000000 + (data[i + 1]! << 16) + (data[i + 2]! << 8) + data[i + 3]!;
  if (whole < data.length) sum += (data[whole] ?? 0) * 0x1000000 + ((data[whole + 1] ?? 0) << 16) + ((data[whole + 2] ?? 0) << 8);
  return sum;
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Makes a freshly parsed font's subset cheaper to write, without changing a byte of it:
 * - the tables jsPDF copies whole into every subset are read once and kept (frozen, so nothing can
 *   change the kept copy);
 * - its table directory is laid out by {@link encodeTableDirectory}, once a sample laid out both ways
 *   has come out identical (a jsPDF that lays it out differently keeps its own code).
 */
function speedUpSubset(font: ParsedTtf): void {
  for (const tag of WHOLE_TABLES) {
    const table = font[tag] as TtfTable;
    if (!table.exists) continue;
    const read = table.raw;
    let kept: number[] | null | undefined;
    table.raw = () => {
      if (kept === undefined) {
        kept = read.call(table);
        if (kept) keptTables.set(Object.freeze(kept), { bytes: Uint8Array.from(kept), sum: wordSum(kept) });
      }
      return kept;
    };
  }

  const directory = font.directory;
  const jsPdfEncode = directory.encode;
  const sample = { cmap: [1, 2, 3], head: font.head.encode(1), glyf: [250, 251, 252, 253, 254] };
  const ours = encodeTableDirectory(directory.scalarType, sample);
  let theirs: ArrayLike<number>;
  try {
    theirs = jsPdfEncode.call(directory, sample);
  } catch {
    return;
  }
  if (!ours || !sameValues(ours, theirs)) return;
  directory.encode = function encode(this: TableDirectory, tables) {
    return encodeTableDirectory(this.scalarType, tables) ?? jsPdfEncode.call(this, tables);
  };
}

/**
 * Puts a parsed font back as jsPDF leaves it fresh from the file, ready for the next document: what
 * jsPDF records per document (Unicode widths/encoding/kerning, toUnicode, glyIdsUsed, the subset, the
 * read position) is cleared. Kept: everything parsed from the file, the whole tables, and glyf's cache
 * of glyphs read, which no document changes (compound glyphs are copied when encoded).
 */
function resetForDocument(entry: Entry): void {
  const font = entry.font;
  font.Unicode = undefined; // jsPDF's addFont makes new widths/encoding/kerning when there are none.
  font.toUnicode = {};
  font.glyIdsUsed = [0];
  font.contents.pos = 0;
  const Subset = Object.getPrototypeOf(font.subset).constructor as new (font: ParsedTtf) => ParsedTtf['subset'];
  const subset = new Subset(font);
  const encode = subset.encode;
  // Writing the document encodes the subset: from then on the font is free for the next document.
  subset.encode = function (this: unknown, ...args) {
    entry.held = false;
    return encode.apply(this, args);
  };
  font.subset = subset;
  const widths = font.hmtx.widths;
  if (!sameValues(widths, entry.widths)) font.hmtx.widths = [...entry.widths];
  entry.held = true;
}

/** Parsed fonts by their exact bytes. */
export class ParsedFontCache {
  private readonly entries: Entry[] = [];

  /**
   * @param parse jsPDF's own TTFFont.open.
   * @param limit Fonts kept (the oldest is let go first); the renderer uses two.
   */
  constructor(
    private readonly parse: (file: Uint8Array) => unknown,
    private readonly limit = 4,
  ) {}

  /** The font parsed from these bytes, ready for a new document: kept from before when possible. */
  open(file: Uint8Array): unknown {
    const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
    const index = this.entries.findIndex((entry) => entry.bytes.length === bytes.length && entry.bytes.equals(bytes));
    const known = index >= 0 ? this.entries[index] : undefined;
    if (known && !known.held) {
      resetForDocument(known);
      return known.font;
    }
    if (known) this.entries.splice(index, 1);

    const font = this.parse(file);
    if (!hasExpectedShape(font)) return font;
    speedUpSubset(font);
    const entry: Entry = { bytes: Buffer.from(bytes), font, widths: Object.freeze([...font.hmtx.widths]), held: false };
    resetForDocument(entry);
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.shift();
    return font;
  }

  /** Number of fonts kept. */
  get size(): number {
    return this.entries.length;
  }

  /** Lets go of every kept font: the next open of any file parses it afresh. */
  clear(): void {
    this.entries.length = 0;
  }
}

const INSTALLED = Symbol.for('clinic-booking-bot.parsedFontCache');
let installed: ParsedFontCache | undefined;

/**
 * Routes jsPDF's TTFFont.open (on jsPDF.API) through one {@link ParsedFontCache} for this thread.
 * Installing again changes nothing. Returns the cache, or undefined when jsPDF is not as expected
 * and was left alone.
 */
export function installParsedFontCache(api: unknown): ParsedFontCache | undefined {
  if (!isObject(api) || typeof api.TTFFont !== 'function') return undefined;
  const TTFFont = api.TTFFont as { open?: unknown };
  const open = TTFFont.open as ((file: unknown) => unknown) & { [INSTALLED]?: ParsedFontCache };
  if (typeof open !== 'function') return undefined;
  if (open[INSTALLED]) return (installed = open[INSTALLED]);

  const cache = new ParsedFontCache((file) => open.call(TTFFont, file));
  const cachedOpen = Object.assign((file: unknown) => (file instanceof Uint8Array ? cache.open(file) : open.call(TTFFont, file)), {
    [INSTALLED]: cache,
  });
  TTFFont.open = cachedOpen;
  installed = cache;
  return cache;
}

/** The cache installed in this thread, if any. */
export function parsedFontCache(): ParsedFontCache | undefined {
  return installed;
}
