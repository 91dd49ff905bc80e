/**
 * Audio recordings for voice-note tests, made in memory.
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
