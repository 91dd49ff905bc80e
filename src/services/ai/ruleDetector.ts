/**
 * The rule-based intent detector: needs no key and no network, so the bot understands patients even
 * when Gemini is not configured, is down, or answers nonsense. Lexicons cover English, Hindi in
 * Devanagari and Hinglish; typos are corrected with fuse.js; dates are read in the clinic's time zone.
 */
import type { BookingIntent, DoctorDirectoryEntry, IntentContext, IntentDetector, IntentName } from '../../core/ports.js';
import { DoctorNameMatcher } from './doctorNames.js';
import {
  BOOK_WORDS,
  CANCEL_WORDS,
  DOCTOR_TITLES,
  EARLIEST_WORDS,
  EXPLICIT_BOOK_WORDS,
  GREETING_WORDS,
  HELP_WORDS,
  INVOICE_WORDS,
  MY_APPOINTMENTS_WORDS,
  OFF_TOPIC_WORDS,
  PART_OF_DAY_WORDS,
  RELATIVE_DAY_WORDS,
  REPORT_NOUNS,
  RESCHEDULE_WORDS,
  UPLOAD_VERBS,
  WEAK_BOOK_WORDS,
  WEEKDAY_WORDS,
} from './lexicon.js';
import { clinicSpecialtiesByConcept, SPECIALTY_CONCEPTS } from './specialties.js';
import { containsPhrase, normalizeUtterance, TypoCorrector, wordsOf } from './utterance.js';
import { extractWhen } from './when.js';

/** Longest text the rules read; a patient's request fits easily, and the cost stays bounded. */
const MAX_TEXT = 600;

/** "my appointments" as well as "my appointment". */
const MY_APPOINTMENTS_PHRASES = [
  ...MY_APPOINTMENTS_WORDS,
  ...MY_APPOINTMENTS_WORDS.filter((p) => /(appointment|booking)$/.test(p)).map((p) => `${p}s`),
];

const ALL_LEXICON_PHRASES: readonly string[] = [
  ...BOOK_WORDS, ...WEAK_BOOK_WORDS, ...OFF_TOPIC_WORDS, ...CANCEL_WORDS, ...RESCHEDULE_WORDS, ...INVOICE_WORDS, ...REPORT_NOUNS, ...UPLOAD_VERBS,
  ...MY_APPOINTMENTS_WORDS, ...HELP_WORDS, ...GREETING_WORDS, ...EARLIEST_WORDS, ...DOCTOR_TITLES,
  ...Object.values(PART_OF_DAY_WORDS).flat(), ...Object.keys(RELATIVE_DAY_WORDS), ...Object.keys(WEEKDAY_WORDS),
  ...SPECIALTY_CONCEPTS.flatMap((c) => [...c.layWords, ...c.names]),
];

/** Every single word of the lexicons: the vocabulary typos are corrected to. */
const LEXICON_WORDS: ReadonlySet<string> = new Set(ALL_LEXICON_PHRASES.flatMap((phrase) => phrase.split(' ')));

/** Common words that must never be "corrected" into a lexicon word or read as a doctor's name. */
const COMMON_WORDS = [
  'please', 'thanks', 'thank', 'there', 'where', 'which', 'would', 'could', 'should', 'about', 'after', 'before', 'again',
  'every', 'other', 'their', 'these', 'those', 'today', 'hello', 'really', 'morning', 'clinic', 'timing', 'timings',
  'open', 'close', 'closed', 'address', 'number', 'phone', 'doctor', 'doctors', 'mother', 'father', 'brother', 'sister',
  'husband', 'daughter', 'wife', 'family', 'friend', 'since', 'three', 'seven', 'eight', 'weeks', 'month', 'months',
  'years', 'little', 'small', 'severe', 'still', 'right', 'left', 'first', 'second', 'third', 'maybe', 'possible', 'coming',
  'want', 'need', 'have', 'having', 'wanted', 'needed', 'sharp', 'kindly', 'sorry', 'karna', 'karni', 'kuch', 'nahi',
  'mujhe', 'mujhko', 'hamein', 'humko', 'apna', 'apne', 'mera', 'meri', 'mere', 'liye', 'wala', 'wali', 'wale', 'chalega',
  'weather', 'cricket', 'match', 'score', 'movie', 'joke', 'song', 'price', 'petrol', 'train', 'pizza', 'order', 'status',
];

const VOCABULARY: ReadonlySet<string> = new Set([...LEXICON_WORDS, ...COMMON_WORDS]);
const corrector = new TypoCorrector(VOCABULARY);

function hasAny(joined: string, phrases: readonly string[]): boolean {
  return phrases.some((phrase) => containsPhrase(joined, phrase));
}

/** Specialty the words point to, as the clinic spells it; also whether any specialty word (even one the clinic lacks) was used. */
function specialtyIn(joined: string, clinicSpecialties: readonly string[]): { specialty: string | null; medicalWords: boolean } {
  const byConcept = clinicSpecialtiesByConcept(clinicSpecialties);
  let medicalWords = false;
  for (const concept of SPECIALTY_CONCEPTS) {
    if (!hasAny(joined, concept.layWords) && !hasAny(joined, concept.names.filter((n) => n.length > 3))) continue;
    medicalWords = true;
    const specialty = byConcept.get(concept.key);
    if (specialty) return { specialty, medicalWords };
  }
  // The clinic's own spelling typed back ("Dermatology", "General Physician").
  for (const specialty of clinicSpecialties) {
    if (containsPhrase(joined, normalizeUtterance(specialty))) return { specialty, medicalWords: true };
  }
  return { specialty: null, medicalWords };
}

interface Signals {
  joined: string;
  /** The message names a doctor, a specialty or symptom, a day or a time. */
  bookingWish: boolean;
}

function intentOf({ joined, bookingWish }: Signals): IntentName {
  if (hasAny(joined, RESCHEDULE_WORDS)) return 'reschedule';
  if (hasAny(joined, CANCEL_WORDS)) return 'cancel';
  if (hasAny(joined, INVOICE_WORDS)) return 'invoice';
  const reportNoun = hasAny(joined, REPORT_NOUNS);
  if ((reportNoun && hasAny(joined, UPLOAD_VERBS)) || containsPhrase(joined, 'upload')) return 'upload_report';
  const explicitBooking = hasAny(joined, EXPLICIT_BOOK_WORDS);
  if (hasAny(joined, MY_APPOINTMENTS_PHRASES) && !explicitBooking) return 'my_appointments';
  // "how do I book?" with nothing to book yet is a question about the service.
  if (hasAny(joined, HELP_WORDS) && !bookingWish && !explicitBooking) return 'help';
  if (bookingWish || hasAny(joined, BOOK_WORDS)) return 'book';
  if (reportNoun) return 'upload_report';
  if (hasAny(joined, WEAK_BOOK_WORDS)) return 'book';
  if (hasAny(joined, GREETING_WORDS)) return 'greeting';
  return 'other';
}

/** The rule-based {@link IntentDetector}. Stateless; one instance serves every conversation. */
export class RuleBasedIntentDetector implements IntentDetector {
  private matchers = new WeakMap<readonly DoctorDirectoryEntry[], DoctorNameMatcher>();

  async detect(text: string, context: IntentContext): Promise<BookingIntent> {
    return this.detectNow(text, context);
  }

  /** The same as {@link detect}, synchronously (benchmarks, the command-line tool). */
  detectNow(text: string, context: IntentContext): BookingIntent {
    const matcher = this.matcherFor(context.doctors);
    // Doctors' names are kept as typed: "Verma" must not become "derma".
    const words = wordsOf(normalizeUtterance(text.slice(0, MAX_TEXT))).map((word) => (matcher.isNamePart(word) ? word : corrector.correct(word)));
    const joined = words.join(' ');
    if (hasAny(joined, OFF_TOPIC_WORDS) && !hasAny(joined, BOOK_WORDS)) {
      return { intent: 'other', specialty: null, doctorId: null, date: null, timeOfDay: null, time: null, earliest: false, source: 'rules' };
    }
    const doctorId = matcher.find(words);
    const { specialty, medicalWords } = specialtyIn(joined, [...new Set(context.doctors.map((d) => d.specialty))]);
    const when = extractWhen(joined, context.now, context.timezone);
    // A day or a time on its own ("tomorrow evening", "30/11") only makes sense as a wish to book.
    const bookingWish = doctorId !== null || medicalWords || when.earliest || when.date !== null || when.time !== null || when.timeOfDay !== null;
    return {
      intent: intentOf({ joined, bookingWish }),
      specialty,
      doctorId,
      date: when.date,
      timeOfDay: when.timeOfDay,
      time: when.time,
      earliest: when.earliest,
      source: 'rules',
    };
  }

  private matcherFor(doctors: readonly DoctorDirectoryEntry[]): DoctorNameMatcher {
    let matcher = this.matchers.get(doctors);
    if (!matcher) {
      matcher = new DoctorNameMatcher(doctors, VOCABULARY);
      this.matchers.set(doctors, matcher);
    }
    return matcher;
  }
}
