/**
 * What leaves the clinic with a patient's message: phone numbers and other long numbers (an Aadhaar or
 * policy number, a number too odd for the phone library) are replaced by a placeholder before the
 * words go to Gemini. Understanding a booking never needs them; dates and times stay.
 */
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';

/** What a phone number found in the text becomes. */
export const PHONE_PLACEHOLDER = '[phone]';
/** What any other run of 7 or more digits becomes. */
export const NUMBER_PLACEHOLDER = '[number]';

/**
 * Groups of 3 or more digits in any script, joined by single spaces, dots or dashes ("1234567",
 * "1234 5678 9012", "९८७६५४३२१०"); replaced when they hold 7 digits or more. Groups of one or two
 * digits end a run, so dates and times ("24-11-2026 10:30", "2026-11-24 10am") stay as typed.
 */
const DIGIT_GROUPS = /\p{Nd}{3,}(?:[ .-]\p{Nd}{3,})*/gu;
const LONG_RUN_DIGITS = 7;

/** The text with phone numbers and long digit runs replaced by placeholders. */
export function redactNumbers(text: string, region: CountryCode): string {
  let redacted = '';
  let from = 0;
  for (const found of findPhoneNumbersInText(text, { defaultCountry: region })) {
    redacted += text.slice(from, found.startsAt) + PHONE_PLACEHOLDER;
    from = found.endsAt;
  }
  redacted += text.slice(from);
  return redacted.replace(DIGIT_GROUPS, (run) => (run.replace(/\P{Nd}/gu, '').length >= LONG_RUN_DIGITS ? NUMBER_PLACEHOLDER : run));
}
