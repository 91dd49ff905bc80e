/**
 * Intent detection and voice-note transcription with Gemini (the @google/genai SDK, the maintained
 * successor of the archived @google/generative-ai). Answers come as JSON under a response schema and are
 * validated again with zod: anything else is an error, and the caller falls back to the rules.
 *
 * Privacy: only the patient's words (or voice), today's date, the time zone and the clinic's
 * specialties and doctor names are sent; never the patient's name, phone or history.
 */
import { GoogleGenAI, Type, type Schema } from '@google/genai';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ClinicError } from '../../core/errors.js';
import { INTENTS, PARTS_OF_DAY, type BookingIntent, type IntentContext, type IntentDetector } from '../../core/ports.js';

/** Gemini did not give a usable answer in time; the message says which way it failed. */
export class GeminiError extends ClinicError {
  constructor(
    readonly kind: 'timeout' | 'unavailable' | 'invalid-answer' | 'unsupported-audio',
    message: string,
  ) {
    super(message);
  }
}

export interface GeminiOptions {
  apiKey: string;
  /** E.g. gemini-2.5-flash. */
  model: string;
  /** Replaces https://generativelanguage.googleapis.com (a proxy, or the test emulator). */
  apiUrl?: string;
  /** Longest wait for understanding a text message. */
  timeoutMs: number;
  /** Longest wait for transcribing a voice note (audio takes longer). */
  voiceTimeoutMs: number;
}

/** Longest transcription kept: two minutes of speech is far less. */
const MAX_TRANSCRIPT = 2000;

const intentAnswer = z.object({
  intent: z.enum(INTENTS),
  specialty: z.string().nullable(),
  doctorId: z.string().nullable(),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((date) => DateTime.fromISO(date).isValid)
    .nullable(),
  timeOfDay: z.enum(PARTS_OF_DAY).nullable(),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .nullable(),
  earliest: z.boolean(),
});

const transcriptAnswer = z.object({ text: z.string().max(MAX_TRANSCRIPT * 2) });

/** Audio types Gemini takes, by the names browsers and messengers give them. */
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
  'audio/webm': 'audio/webm',
  'video/webm': 'audio/webm',
  'audio/mp4': 'audio/mp4',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
};

/** The audio type to send Gemini for a voice note's type ("audio/ogg; codecs=opus" -> "audio/ogg"), or undefined. */
export function geminiAudioType(mime: string): string | undefined {
  return GEMINI_AUDIO_TYPES[mime.split(';')[0]!.trim().toLowerCase()];
}

function describeRequest(context: IntentContext): string {
  const now = DateTime.fromJSDate(context.now, { zone: context.timezone });
  const specialties = [...new Set(context.doctors.map((d) => d.specialty))];
  return [
    'You read one message a patient typed (or said) to the appointment assistant of a clinic in India.',
    'Patients write English, Hindi in Devanagari, or Hindi in Latin letters (Hinglish), often with typos.',
    `Now it is ${now.toFormat("cccc, yyyy-LL-dd, HH:mm")} in the clinic's time zone ${context.timezone}.`,
    'Answer with JSON only, following the schema:',
    '- intent: book (wants to see a doctor; symptoms, a doctor, a specialty or a day/time count), my_appointments (asks',
    '  about their existing bookings), cancel, reschedule (move an existing appointment), upload_report (send a report',
    '  or scan), invoice (bill or receipt), help (how to use the assistant), greeting (only a greeting), other.',
    `- specialty: one of ${JSON.stringify(specialties)} that the message asks for, also through lay words (heart or BP:`,
    '  cardiology; skin, rash, hair fall: dermatology; child, baby, vaccination: paediatrics; teeth: dentistry; bones,',
    '  back, joints: orthopaedics; eyes: ophthalmology; ear, nose, throat: ENT; pregnancy, periods: gynaecology; fever',
    '  and general complaints: general medicine). null when none fits or the clinic lacks it.',
    '- doctorId: the id of the doctor the patient names, from this list, else null:',
    ...context.doctors.map((d) => `  ${d.id}: ${d.name} (${d.specialty})`),
    '- date: the day wished, YYYY-MM-DD, in the future or today. "kal" means tomorrow, "parso" the day after tomorrow;',
    '  numeric dates are day/month. For "asap" or "earliest" give today. null when no day is said.',
    '- timeOfDay: morning, afternoon or evening when said (subah, dopahar, shaam), else null ("good morning" is a greeting).',
    '- time: the exact time wished, HH:MM in 24 hours ("4 baje" in a clinic means 16:00), else null.',
    '- earliest: true when the patient wants the earliest free time (asap, jaldi, urgent).',
  ].join('\n');
}

function intentSchema(context: IntentContext): Schema {
  const specialties = [...new Set(context.doctors.map((d) => d.specialty))];
  const ids = context.doctors.map((d) => d.id);
  const nullableEnum = (values: string[], description: string): Schema =>
    values.length > 0 ? { type: Type.STRING, nullable: true, format: 'enum', enum: values, description } : { type: Type.STRING, nullable: true, description };
  return {
    type: Type.OBJECT,
    properties: {
      intent: { type: Type.STRING, format: 'enum', enum: [...INTENTS] },
      specialty: nullableEnum(specialties, "One of the clinic's specialties"),
      doctorId: nullableEnum(ids, 'Id of the doctor named'),
      date: { type: Type.STRING, nullable: true, description: 'YYYY-MM-DD in the clinic time zone' },
      timeOfDay: { type: Type.STRING, nullable: true, format: 'enum', enum: [...PARTS_OF_DAY] },
      time: { type: Type.STRING, nullable: true, description: 'HH:MM, 24 hours' },
      earliest: { type: Type.BOOLEAN },
    },
    required: ['intent', 'specialty', 'doctorId', 'date', 'timeOfDay', 'time', 'earliest'],
    propertyOrdering: ['intent', 'specialty', 'doctorId', 'date', 'timeOfDay', 'time', 'earliest'],
  };
}

const TRANSCRIPT_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: { text: { type: Type.STRING, description: 'The words spoken, in the script of the language spoken' } },
  required: ['text'],
};

function asGeminiError(error: unknown): GeminiError {
  if (error instanceof GeminiError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') return new GeminiError('timeout', 'Gemini did not answer in time.');
  const status = typeof error === 'object' && error !== null && 'status' in error ? ` (HTTP ${String((error as { status: unknown }).status)})` : '';
  return new GeminiError('unavailable', `Gemini could not be reached or refused the request${status}.`);
}

/** {@link IntentDetector} on Gemini. Throws {@link GeminiError}; wrap it with the rules as fallback. */
export class GeminiIntentDetector implements IntentDetector {
  private readonly client: GoogleGenAI;

  constructor(private readonly options: GeminiOptions) {
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      httpOptions: { ...(options.apiUrl ? { baseUrl: options.apiUrl } : {}), timeout: options.timeoutMs },
    });
  }

  async detect(text: string, context: IntentContext): Promise<BookingIntent> {
    const answer = intentAnswer.safeParse(
      await this.askJson({
        contents: [{ role: 'user', parts: [{ text }] }],
        systemInstruction: describeRequest(context),
        schema: intentSchema(context),
        timeoutMs: this.options.timeoutMs,
      }),
    );
    if (!answer.success) throw new GeminiError('invalid-answer', 'Gemini answered JSON that does not fit the intent schema.');
    const { specialty, doctorId, ...rest } = answer.data;
    const specialties = new Set(context.doctors.map((d) => d.specialty));
    return {
      ...rest,
      // A specialty or doctor the clinic does not have is a guess, not an answer.
      specialty: specialty !== null && specialties.has(specialty) ? specialty : null,
      doctorId: doctorId !== null && context.doctors.some((d) => d.id === doctorId) ? doctorId : null,
      source: 'gemini',
    };
  }

  async transcribe(audio: Uint8Array, mime: string): Promise<string> {
    const mimeType = geminiAudioType(mime);
    if (!mimeType) throw new GeminiError('unsupported-audio', `Voice notes of type ${mime} cannot be transcribed.`);
    const answer = transcriptAnswer.safeParse(
      await this.askJson({
        contents: [
          {
            role: 'user',
            parts: [
              { text: 'Transcribe this voice note a patient sent to a clinic. Write only what is said.' },
              { inlineData: { mimeType, data: Buffer.from(audio).toString('base64') } },
            ],
          },
        ],
        systemInstruction:
          'You transcribe short voice notes from patients in India: English, Hindi or a mix. Write Hindi in Devanagari ' +
          'and English in Latin letters, as spoken. Do not translate, answer or add anything. Silence or noise gives "".',
        schema: TRANSCRIPT_SCHEMA,
        timeoutMs: this.options.voiceTimeoutMs,
      }),
    );
    if (!answer.success) throw new GeminiError('invalid-answer', 'Gemini answered JSON that does not fit the transcript schema.');
    return answer.data.text.trim().slice(0, MAX_TRANSCRIPT);
  }

  private async askJson(request: {
    contents: { role: string; parts: ({ text: string } | { inlineData: { mimeType: string; data: string } })[] }[];
    systemInstruction: string;
    schema: Schema;
    timeoutMs: number;
  }): Promise<unknown> {
    let text: string | undefined;
    try {
      const response = await this.client.models.generateContent({
        model: this.options.model,
        contents: request.contents,
        config: {
          systemInstruction: request.systemInstruction,
          responseMimeType: 'application/json',
          responseSchema: request.schema,
          temperature: 0,
          httpOptions: { timeout: request.timeoutMs },
        },
      });
      text = response.text;
    } catch (error) {
      throw asGeminiError(error);
    }
    if (!text) throw new GeminiError('invalid-answer', 'Gemini answered without any text.');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GeminiError('invalid-answer', 'Gemini answered text that is not JSON.');
    }
  }
}
