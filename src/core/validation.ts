/**
 * Validation of the patient's answers. Each validator returns the normalised value or a friendly
 * explanation the flow can send back as it is.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { cleanText, toAsciiDigits, visibleLength } from './text.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Validated<T> => ({ ok: true, value });
const fail = <T>(problem: string): Validated<T> => ({ ok: false, problem });

export const NAME_MIN = 2;
export const NAME_MAX = 60;
export const PURPOSE_MAX = 500;
export const AGE_MAX = 120;

/** Letters and marks of any script, with the separators names really use. */
const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u;

/** "My name is Ramesh Kumar", "मेरा नाम रमेश कुमार है": the words around a name people type or say. */
const NAME_INTRODUCTION = /^(?:my name is|my name['’]s|my name|name is|i am|i['’]m|this is|mera naam|mera nam|मेरा नाम)\s*[:,-]?\s+(.+?)(?:\s+(?:hai|hoon|hun|है|हूँ|हूं))?$/iu;

/**
 * Words no one's name has, that questions and requests do ("cancel my appointment", "what time is my
 * appointment", "kab hai"): such text is refused rather than stored as the patient's name.
 */
const NOT_IN_NAMES = new Set([
  'appointment', 'appointments', 'appoinment', 'booking', 'book', 'cancel', 'reschedule', 'doctor', 'report',
  'help', 'menu', 'please', 'need', 'want', 'time', 'my', 'your', 'is', 'what', 'when', 'where', 'why', 'how', 'which',
  'kya', 'kab', 'kaise', 'kaun', 'chahiye', 'karna', 'karo',
  'क्या', 'कब', 'कैसे', 'कौन', 'चाहिए', 'अपॉइंटमेंट', 'रद्द', 'डॉक्टर',
]);

/** A person's name: letters of any script, 2–60 characters, without the words introducing it. */
export function validateName(input: string): Validated<string> {
  const typed = cleanText(input).replace(/\s+/g, ' ');
  const name = NAME_INTRODUCTION.exec(typed)?.[1] ?? typed;
  if (name.toLowerCase().split(/[\s.,?!]+/u).some((word) => NOT_IN_NAMES.has(word))) {
    return fail('That looks like a question or a request rather than a name. Please type the patient\'s full name (or "menu" to leave the booking).');
  }
  const length = visibleLength(name);
  if (length < NAME_MIN) return fail(`Please type the patient's full name (at least ${NAME_MIN} letters).`);
  if (length > NAME_MAX) return fail(`That name is too long. Please keep it under ${NAME_MAX} characters.`);
  if (!NAME_PATTERN.test(name) || (name.match(/[\p{L}]/gu)?.length ?? 0) < NAME_MIN) {
    return fail('A name can only have letters, spaces, dots, apostrophes and hyphens. Please type the name again.');
  }
  return ok(name);
}

/** A mobile or landline number, returned in E.164; numbers without a country code get `region`'s. */
export function validatePhone(input: string, region: CountryCode): Validated<string> {
  const text = toAsciiDigits(cleanText(input));
  if (!/\d/.test(text) || visibleLength(text) > 30) {
    return fail('Please send a phone number, for example 98765 43210 or +91 98765 43210.');
  }
  const phone = parsePhoneNumberFromString(text, region);
  if (!phone || !phone.isValid()) {
    return fail("That doesn't look like a valid phone number. Please check the digits (include the country code if it isn't an Indian number).");
  }
  return ok(phone.number);
}

const AGE_PATTERN = /^(\d{1,3})\s*(?:years?|yrs?|y|saal|sal|varsh|वर्ष|साल)?(?:\s*old)?$/iu;

/** Age in whole years, 0–120 (0 for a baby under one). */
export function validateAge(input: string): Validated<number> {
  const match = AGE_PATTERN.exec(toAsciiDigits(cleanText(input)));
  if (!match) return fail('Please send the age as a number of years, for example 34 (0 for a baby under one).');
  const age = Number(match[1]);
  if (age > AGE_MAX) return fail(`Please check the age: it should be between 0 and ${AGE_MAX}.`);
  return ok(age);
}

/** Reason for the visit: free text, 2–500 characters. */
export function validatePurpose(input: string): Validated<string> {
  const purpose = cleanText(input);
  const length = visibleLength(purpose);
  if (length < 2) return fail('Please tell us briefly why you want to see the doctor, for example "fever for 3 days".');
  if (length > PURPOSE_MAX) {
    return fail(`Please keep it short: at most ${PURPOSE_MAX} characters (yours has ${length}). The doctor will ask for details at the visit.`);
  }
  return ok(purpose);
}
