/**
 * When the patient wants to come: a date, a part of the day, an exact time, or "the earliest", all
 * resolved in the clinic's time zone. Hindi and Hinglish day words ("kal", "parso", "somvar") are read
 * here; calendar dates ("28 November", "30/11" — day before month, as in India) go to chrono-node.
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { PartOfDay } from '../../core/ports.js';
import {
  DAY_AFTER_TOMORROW,
  EARLIEST_WORDS,
  GREETING_PHRASES_WITH_TIME,
  HINDI_MONTHS,
  PART_OF_DAY_WORDS,
  RELATIVE_DAY_WORDS,
  WEEKDAY_WORDS,
} from './lexicon.js';
import { containsPhrase } from './utterance.js';

export interface WhenWish {
  /** Clinic-local `YYYY-MM-DD`. */
  date: string | null;
  timeOfDay: PartOfDay | null;
  /** Clinic-local `HH:mm`. */
  time: string | null;
  earliest: boolean;
}

const PARTS = Object.keys(PART_OF_DAY_WORDS) as PartOfDay[];

/** A month name or a day/month in numbers. */
const CALENDAR_TEXT = /\d{1,2}\/\d{1,2}|\d\s?(?:st|nd|rd|th)?\s?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s\d/;

/** Times that describe the complaint, not the wish ("fever since morning", "pain from last night"). */
const PAST_TIME = /(?:^|\s)(?:since|from|last|yesterday|kal raat|since yesterday)\s(?:the\s)?(?:yesterday\s|last\s)?(?:morning|night|evening|afternoon|raat|subah|shaam)(?=\s|$)/g;

/** "kal ki jagah parso", "instead of tomorrow": the day replaced is not the day wished. */
const REPLACED_DAY = /(?:^|\s)\S+\s(?:ki|ke|ka)\sjagah(?=\s|$)|(?:^|\s)instead\sof\s\S+/g;

/** A bare number right after a word naming a day is an hour ("tomorrow 6", "kal 5"). */
const HOUR_AFTER_DAY = new RegExp(
  `(?:^|\\s)(?:${[...Object.keys(RELATIVE_DAY_WORDS), ...Object.keys(WEEKDAY_WORDS)].join('|')})\\s(\\d{1,2})(?=\\s|$)(?!\\s(?:days?|din|tarikh|ko))`,
);

/** Hours without am/pm that a clinic means in the afternoon ("at 4" is 4 pm, not 4 am). */
const AFTERNOON_HOURS_WITHOUT_MERIDIEM = 7;

function partOfDayIn(joined: string): PartOfDay | null {
  let found: { part: PartOfDay; at: number } | null = null;
  for (const part of PARTS) {
    for (const word of PART_OF_DAY_WORDS[part]) {
      const at = ` ${joined} `.indexOf(` ${word} `);
      if (at >= 0 && (found === null || at < found.at)) found = { part, at };
    }
  }
  return found?.part ?? null;
}

function nextWeekday(today: DateTime, weekday: number): DateTime {
  const ahead = (weekday - today.weekday + 7) % 7;
  return today.plus({ days: ahead === 0 ? 7 : ahead });
}

/** A calendar date the patient typed ("28 november", "30/11", "dec 2"), read day-first as in India. */
function calendarDate(joined: string, today: DateTime): DateTime | null {
  let english = joined;
  for (const [hindi, month] of Object.entries(HINDI_MONTHS)) english = english.replaceAll(hindi, month);
  // chrono reads the reference in the server's zone: give it the clinic's date as a local time. At the
  // very start of the day, so that with forwardDate today's date at any hour ("24/11 at 11am" typed at
  // 00:15 or at 08:00 on the 24th) stays today instead of rolling to next year.
  const reference = new Date(today.year, today.month - 1, today.day, 0, 0, 0);
  // chrono is the costly part of reading a message: only ask it when a calendar date may be there.
  const results = CALENDAR_TEXT.test(english) ? chrono.en.GB.parse(english, reference, { forwardDate: true }) : [];
  for (const result of results) {
    const start = result.start;
    // Only calendar dates: relative words are read above, and "since 3 days" is no date at all.
    if (!start.isCertain('day') || !start.isCertain('month') || !CALENDAR_TEXT.test(result.text)) continue;
    const date = DateTime.fromObject({ year: start.get('year') ?? today.year, month: start.get('month')!, day: start.get('day')! }, { zone: today.zone });
    if (date.isValid) return date < today ? date.plus({ years: 1 }) : date;
  }
  // "on 5th", "5 tarikh": a day of the month on its own is the next such date.
  const dayOnly = /(?:^|\s)(\d{1,2})\s(?:tarikh|tareekh|tarik|तारीख|ko)(?=\s|$)/.exec(joined) ?? /\bon (\d{1,2})$/.exec(joined);
  if (dayOnly) {
    const day = Number(dayOnly[1]);
    if (day >= 1 && day <= 31) {
      for (let months = 0; months <= 2; months++) {
        const candidate = today.plus({ months }).set({ day });
        if (candidate.day === day && candidate >= today) return candidate;
      }
    }
  }
  return null;
}

function relativeDay(words: readonly string[], joined: string, today: DateTime): DateTime | null {
  if (DAY_AFTER_TOMORROW.some((phrase) => containsPhrase(joined, phrase))) return today.plus({ days: 2 });
  for (const word of words) {
    const offset = RELATIVE_DAY_WORDS[word];
    if (offset !== undefined) return today.plus({ days: offset });
  }
  return null;
}

function weekdayNamed(words: readonly string[], today: DateTime): DateTime | null {
  for (const word of words) {
    const weekday = WEEKDAY_WORDS[word];
    if (weekday !== undefined) return nextWeekday(today, weekday);
  }
  return null;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** An exact time ("10am", "10:30", "4 baje", "at 11", "saade 10"), adjusted to the part of day named. */
function timeIn(joined: string, partOfDay: PartOfDay | null): string | null {
  let hour: number | undefined;
  let minute = 0;
  let meridiem: string | undefined;
  const clock = /(?:^|\s)(\d{1,2})[:.](\d{2})(?:\s?(am|pm))?(?=\s|$)/.exec(joined);
  const marked = /(?:^|\s)(\d{1,2})\s(am|pm|baje|bje|baj|बजे|oclock|o clock|hrs)(?=\s|$)/.exec(joined);
  const half = /(?:^|\s)(?:sade|saade|sadhe|saadhe|साढ़े)\s(\d{1,2})(?=\s|$)/.exec(joined);
  const afterDay = HOUR_AFTER_DAY.exec(joined);
  const at = /(?:^|\s)(?:at|around|by|about|@|after|before|by)\s(\d{1,2})(?=\s|$)(?!\s(?:days?|din|weeks?|months?|years?|saal|tarikh|tareekh|ko|baje))/.exec(joined);
  if (clock) {
    hour = Number(clock[1]);
    minute = Number(clock[2]);
    meridiem = clock[3];
  } else if (marked) {
    hour = Number(marked[1]);
    meridiem = marked[2];
  } else if (half) {
    hour = Number(half[1]);
    minute = 30;
  } else if (at) {
    hour = Number(at[1]);
  } else if (afterDay) {
    hour = Number(afterDay[1]);
  }
  if (hour === undefined || hour > 23 || minute > 59) return null;
  if (meridiem === 'pm' && hour < 12) hour += 12;
  else if (meridiem === 'am' && hour === 12) hour = 0;
  else if (meridiem !== 'am' && hour < 12) {
    if (partOfDay === 'afternoon' || partOfDay === 'evening') hour += 12;
    else if (partOfDay === null && hour >= 1 && hour <= AFTERNOON_HOURS_WITHOUT_MERIDIEM) hour += 12;
  }
  return `${pad(hour)}:${pad(minute)}`;
}

/**
 * Reads when the patient wants to come from a normalised utterance (see normalizeUtterance).
 * @param now the current instant; "today" is its date in `timezone`.
 */
export function extractWhen(normalized: string, now: Date, timezone: string): WhenWish {
  let joined = ` ${normalized} `;
  for (const greeting of GREETING_PHRASES_WITH_TIME) joined = joined.replaceAll(` ${greeting} `, ' ');
  // "30.11" and "30-11" are dates (day, month); "10.30" stays a time.
  joined = joined
    .replace(PAST_TIME, ' ')
    .replace(REPLACED_DAY, ' ')
    .trim()
    .replace(/(^|\s)(\d{1,2})[.-](\d{1,2})(?=\s|$|[./-]\d)/g, (whole, lead: string, a: string, b: string) =>
      Number(a) >= 1 && Number(a) <= 31 && Number(b) >= 1 && Number(b) <= 12 ? `${lead}${a}/${b}` : whole,
    );
  const words = joined === '' ? [] : joined.split(' ');
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');

  const earliest = EARLIEST_WORDS.some((phrase) => containsPhrase(joined, phrase));
  const timeOfDay = partOfDayIn(joined);
  const time = timeIn(joined, timeOfDay);
  const day = calendarDate(joined, today) ?? weekdayNamed(words, today) ?? relativeDay(words, joined, today) ?? (earliest ? today : null);
  return { date: day ? day.toISODate() : null, timeOfDay, time, earliest };
}
