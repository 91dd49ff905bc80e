/**
 * Voice notes: transcribed by the intent detector when it can listen, echoed back as "I heard: …" and
 * then handled exactly as if the patient had typed the words at the current step.
 */
import type { InboundContent } from '../messages.js';
import type { Turn } from './turn.js';

/** Longest voice note the bot listens to. */
export const MAX_VOICE_SECONDS = 120;

type VoiceContent = Extract<InboundContent, { kind: 'voice' }>;

/**
 * Largest voice note whose length cannot be read from its bytes (WebM, MP4, MP3): two minutes at
 * 320 kbit/s, above any voice recording's bit rate (messengers record speech at 16–64 kbit/s), so a
 * larger clip is longer than two minutes whatever it holds.
 */
export const MAX_VOICE_BYTES_OF_UNKNOWN_LENGTH = (320_000 / 8) * MAX_VOICE_SECONDS;

/** What a patient is told about a voice note over {@link MAX_VOICE_SECONDS} (or too large to take). */
export const VOICE_TOO_LONG_TEXT = `Sorry, that voice note is too long for me: please keep it under ${MAX_VOICE_SECONDS / 60} minutes, or type your message.`;

const TYPE_INSTEAD = 'Please type your message instead.';

/**
 * Length of a WAV or Ogg Opus recording read from its bytes, or undefined for other formats (their size
 * limit still applies).
 */
export function recordingSeconds(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
  if (bytes.byteLength >= 44 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WAVE') {
    const byteRate = view.getUint32(28, true);
    return byteRate > 0 ? (bytes.byteLength - 44) / byteRate : undefined;
  }
  if (bytes.byteLength >= 27 && ascii(0, 4) === 'OggS') {
    // The last page's granule position counts 48 kHz samples in Ogg Opus.
    for (let at = bytes.byteLength - 27; at >= 0; at--) {
      if (bytes[at] === 0x4f && ascii(at, 4) === 'OggS') {
        const granule = Number(view.getBigUint64(at + 6, true));
        return granule >= 0 && granule < Number.MAX_SAFE_INTEGER ? granule / 48_000 : undefined;
      }
    }
  }
  return undefined;
}

/**
 * Turns the voice note of this turn into text. Returns false after telling the patient why it could not
 * (no speech service configured, too long or too large, not understood); the caller then asks again.
 */
export async function listenToVoiceNote(turn: Turn, voice: VoiceContent): Promise<boolean> {
  const { intents, settings, logger } = turn.deps;
  const transcribe = intents?.transcribe?.bind(intents);
  if (!transcribe) {
    turn.notice(`Sorry, I can't listen to voice notes here yet. ${TYPE_INSTEAD}`);
    return false;
  }
  if (voice.seconds !== undefined && voice.seconds > MAX_VOICE_SECONDS) {
    turn.notice(VOICE_TOO_LONG_TEXT);
    return false;
  }
  let bytes: Uint8Array;
  try {
    bytes = await voice.load();
  } catch (error) {
    // Platforms refuse to hand over files above their own limits; the patient can still type.
    logger.warn({ err: error }, 'voice note could not be fetched');
    turn.notice(`Sorry, I could not open that voice note. ${TYPE_INSTEAD}`);
    return false;
  }
  const seconds = voice.seconds ?? recordingSeconds(bytes);
  const tooLong = seconds !== undefined ? seconds > MAX_VOICE_SECONDS : bytes.byteLength > MAX_VOICE_BYTES_OF_UNKNOWN_LENGTH;
  if (tooLong || bytes.byteLength > settings.maxUploadBytes) {
    turn.notice(VOICE_TOO_LONG_TEXT);
    return false;
  }
  let heard: string;
  try {
    heard = (await transcribe(bytes, voice.mime)).trim();
  } catch (error) {
    logger.warn({ err: error }, 'voice note could not be transcribed');
    turn.notice(`Sorry, I could not make out that voice note. ${TYPE_INSTEAD}`);
    return false;
  }
  if (heard === '') {
    turn.notice(`Sorry, I could not hear any words in that voice note. ${TYPE_INSTEAD}`);
    return false;
  }
  // What was heard stands as a message of its own: it may precede a result such as a confirmation.
  turn.text(`I heard: "${shortened(heard, HEARD_ECHO_MAX)}"`);
  if (turn.state === 'CONFIRMING_CANCELLATION') {
    // A misheard "yes" must not cancel an appointment: what cannot be undone is answered by hand.
    turn.notice('A cancellation cannot be undone, so please tap or type your answer to this question.');
    return false;
  }
  turn.useText(heard);
  return true;
}

/** Longest transcript echoed back (the whole of it still goes to the step). */
const HEARD_ECHO_MAX = 300;

function shortened(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}
