/**
 * Audio recordings for voice-note tests, made in memory: the web chat's WAV, and a genuine (silent)
 * Ogg Opus voice note as Telegram and WhatsApp send, built byte by byte as RFC 3533 and RFC 7845 say.
 */

/** A WAV file (16 kHz mono, 16-bit PCM) holding `seconds` of silence. */
export function silentWav(seconds: number): Uint8Array {
  const dataBytes = Math.round(seconds * 32_000);
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (text: string, at: number) => bytes.set(new TextEncoder().encode(text), at);
  ascii('RIFF', 0);
  view.setUint32(4, 36 + dataBytes, true);
  ascii('WAVEfmt ', 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 16_000, true);
  view.setUint32(28, 32_000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii('data', 36);
  view.setUint32(40, dataBytes, true);
  return bytes;
}

/** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected), over a page with its CRC field zeroed. */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function oggPage(payload: Uint8Array, options: { headerType: number; granule: bigint; sequence: number }): Uint8Array {
  const segments: number[] = [];
  for (let left = payload.byteLength; ; left -= 255) {
    segments.push(Math.min(left, 255));
    if (left < 255) break;
  }
  const page = new Uint8Array(27 + segments.length + payload.byteLength);
  const view = new DataView(page.buffer);
  page.set(new TextEncoder().encode('OggS'), 0);
  page[5] = options.headerType;
  view.setBigUint64(6, options.granule, true);
  view.setUint32(14, 0x0c11_1c, true);
  view.setUint32(18, options.sequence, true);
  page[26] = segments.length;
  page.set(segments, 27);
  page.set(payload, 27 + segments.length);
  view.setUint32(22, oggCrc(page), true);
  return page;
}

/**
 * An Ogg Opus stream (OpusHead, OpusTags, one audio page) whose last granule position says `seconds`,
 * padded with `paddingBytes` of (silent) packet data.
 */
export function oggOpus(seconds: number, paddingBytes = 200): Uint8Array {
  const text = (s: string) => new TextEncoder().encode(s);
  const head = new Uint8Array(19);
  head.set(text('OpusHead'), 0);
  head[8] = 1; // version
  head[9] = 1; // mono
  new DataView(head.buffer).setUint16(10, 312, true); // pre-skip
  new DataView(head.buffer).setUint32(12, 48_000, true);
  const vendor = text('clinic-test');
  const tags = new Uint8Array(8 + 4 + vendor.byteLength + 4);
  tags.set(text('OpusTags'), 0);
  new DataView(tags.buffer).setUint32(8, vendor.byteLength, true);
  tags.set(vendor, 12);
  const audio = new Uint8Array(paddingBytes).fill(0xf8);
  const pages = [
    oggPage(head, { headerType: 0x02, granule: 0n, sequence: 0 }),
    oggPage(tags, { headerType: 0x00, granule: 0n, sequence: 1 }),
    oggPage(audio, { headerType: 0x04, granule: BigInt(Math.round(seconds * 48_000)), sequence: 2 }),
  ];
  const stream = new Uint8Array(pages.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const page of pages) {
    stream.set(page, at);
    at += page.byteLength;
  }
  return stream;
}
