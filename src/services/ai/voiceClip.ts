/**
 * What of a voice note may go to Gemini: only audio, judged by its bytes and not by the type the
 * platform or the browser claims, so a document (possibly a medical report) labelled "audio/ogg" never
 * leaves the clinic. Also a length check for the formats whose length the bot cannot read from a header.
 */
import { fileTypeFromBuffer } from 'file-type';
import { MAX_VOICE_BYTES_OF_UNKNOWN_LENGTH, MAX_VOICE_SECONDS } from '../../core/flow/voiceNotes.js';
import { GeminiError } from './geminiErrors.js';

/** Audio types Gemini takes, by the names browsers, messengers and the file-type library give them. */
const GEMINI_AUDIO_TYPES: Record<string, string> = {
  'audio/ogg': 'audio/ogg',
  'audio/opus': 'audio/ogg',
  'application/ogg': 'audio/ogg',
  'audio/wav': 'audio/wav',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mpeg': 'audio/mp3',
  'audio/mp3': 'audio/mp3',
  'audio/aac': 'audio/aac',
  'audio/flac': 'audio/flac',
  'audio/x-flac': 'audio/flac',
  'audio/aiff': 'audio/aiff',
  'audio/x-aiff': 'audio/aiff',
  // Chrome records webm/opus and Safari mp4/aac; Gemini reads both although its list names neither.
  // Read from the bytes, such recordings are "video/…" containers (the container cannot tell).
  'audio/webm': 'audio/webm',
  'video/webm': 'audio/webm',
  'audio/mp4': 'audio/mp4',
  'video/mp4': 'audio/mp4',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
};

/** The audio type to send Gemini for a voice note's type ("audio/ogg; codecs=opus" -> "audio/ogg"), or undefined. */
export function geminiAudioType(mime: string): string | undefined {
  return GEMINI_AUDIO_TYPES[mime.split(';')[0]!.trim().toLowerCase()];
}

/** A compressed clip larger than this is longer than two minutes (the conversation refuses it first). */
export const MAX_COMPRESSED_VOICE_BYTES = MAX_VOICE_BYTES_OF_UNKNOWN_LENGTH;
/** Uncompressed or lossless: their length is read from the WAV header by the conversation, or capped by MAX_UPLOAD_MB. */
const UNCOMPRESSED = new Set(['audio/wav', 'audio/flac', 'audio/aiff']);

/**
 * The Gemini audio type of a voice note after checking its bytes. Throws {@link GeminiError}
 * `unsupported-audio` when the claimed type is no audio Gemini reads, the bytes are not audio, or a
 * compressed clip is too large to be two minutes of speech; nothing is sent then.
 */
export async function checkVoiceClip(audio: Uint8Array, claimedMime: string): Promise<string> {
  if (!geminiAudioType(claimedMime)) throw new GeminiError('unsupported-audio', `Voice notes of type ${claimedMime} cannot be transcribed.`);
  const detected = await fileTypeFromBuffer(audio);
  const mimeType = detected ? geminiAudioType(detected.mime) : undefined;
  if (!mimeType) {
    throw new GeminiError('unsupported-audio', `The voice note's bytes are ${detected ? detected.mime : 'of no known type'}, not audio Gemini reads; nothing was sent.`);
  }
  if (!UNCOMPRESSED.has(mimeType) && audio.byteLength > MAX_COMPRESSED_VOICE_BYTES) {
    throw new GeminiError('unsupported-audio', `The voice note is ${audio.byteLength} bytes of ${mimeType}, more than ${MAX_VOICE_SECONDS} s of speech; nothing was sent.`);
  }
  return mimeType;
}
