/**
 * Intent detection and voice-note transcription with Gemini (the @google/genai SDK, the maintained
 * successor of the archived @google/generative-ai). Answers come as JSON under a response schema and are
 * validated again with zod: anything else is an error, and the caller falls back to the rules.
 *
 * Privacy: only the patient's words (or voice), today's date, the time zone and the clinic's
 * specialties and doctor names are sent; never the patient's name, phone or history. Phone numbers and
 * other long numbers in the words are replaced by a placeholder first, and a voice note goes only when
 * its bytes are audio.
 */
import { GoogleGenAI, Type, type GenerateContentResponse, type Schema } from '@google/genai';
import type { CountryCode } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { INTENTS, PARTS_OF_DAY, type BookingIntent, type IntentContext, type IntentDetector } from '../../core/ports.js';
import { asGeminiError, GeminiError } from './geminiErrors.js';
import { redactNumbers } from './redaction.js';
import { leastThinking } from './thinking.js';
import { checkVoiceClip } from './voiceClip.js';

export { GeminiError } from './geminiErrors.js';
export { geminiAudioType } from './voiceClip.js';

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
  /** Region whose phone numbers are recognised (and removed) in the patient's words; India by default. */
  phoneRegion?: CountryCode;
}

/** Furthest ahead a wished date may be: a later one is a misreading, not a wish. */
const MAX_YEARS_AHEAD = 1;

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

/**
 * The intent, or why it is no answer: a specialty or doctor outside the clinic's lists (the schema
 * names them, so the model ignored it), or a date before today or more than a year ahead in the
 * clinic's zone (models often give last year's date for "28 November"). The rules then answer the
 * whole message; mixing the two would give an answer neither made.
 */
function checkedIntent(answer: z.infer<typeof intentAnswer>, context: IntentContext): BookingIntent {
  const invalid = (what: string) => new GeminiError('invalid-answer', `Gemini answered ${what}.`);
  if (answer.specialty !== null && !context.doctors.some((d) => d.specialty === answer.specialty)) throw invalid('a specialty the clinic does not have');
  if (answer.doctorId !== null && !context.doctors.some((d) => d.id === answer.doctorId)) throw invalid('a doctor id the clinic does not have');
  if (answer.date !== null) {
    const today = DateTime.fromJSDate(context.now, { zone: context.timezone }).startOf('day');
    if (answer.date < today.toISODate()!) throw invalid('a date before today');
    if (answer.date > today.plus({ years: MAX_YEARS_AHEAD }).toISODate()!) throw invalid(`a date more than ${MAX_YEARS_AHEAD} year ahead`);
  }
  return { ...answer, source: 'gemini' };
}

/**
 * The answer's text: the text parts of the first candidate, thoughts left out. Read here rather than
 * through `response.text`, which prints to the console when a part is not text (a function call).
 */
function answerText(response: GenerateContentResponse): string {
  const candidate = response.candidates?.[0];
  const text = (candidate?.content?.parts ?? [])
    .flatMap((part) => (typeof part.text === 'string' && part.thought !== true ? [part.text] : []))
    .join('');
  if (text === '') {
    // Only Google's codes (SAFETY, MAX_TOKENS…), never content.
    const why = response.promptFeedback?.blockReason ?? candidate?.finishReason;
    throw new GeminiError('invalid-answer', `Gemini answered without any text${why ? ` (${why})` : ''}.`);
  }
  return text;
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
        contents: [{ role: 'user', parts: [{ text: redactNumbers(text, this.options.phoneRegion ?? 'IN') }] }],
        systemInstruction: describeRequest(context),
        schema: intentSchema(context),
        timeoutMs: this.options.timeoutMs,
      }),
    );
    if (!answer.success) throw new GeminiError('invalid-answer', 'Gemini answered JSON that does not fit the intent schema.');
    return checkedIntent(answer.data, context);
  }

  async transcribe(audio: Uint8Array, mime: string): Promise<string> {
    const mimeType = await checkVoiceClip(audio, mime);
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
    let response: GenerateContentResponse;
    const thinkingConfig = leastThinking(this.options.model);
    try {
      response = await this.client.models.generateContent({
        model: this.options.model,
        contents: request.contents,
        config: {
          systemInstruction: request.systemInstruction,
          responseMimeType: 'application/json',
          responseSchema: request.schema,
          temperature: 0,
          ...(thinkingConfig ? { thinkingConfig } : {}),
          httpOptions: { timeout: request.timeoutMs },
        },
      });
    } catch (error) {
      throw asGeminiError(error, this.options.model);
    }
    const text = answerText(response);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GeminiError('invalid-answer', 'Gemini answered text that is not JSON.');
    }
  }
}
