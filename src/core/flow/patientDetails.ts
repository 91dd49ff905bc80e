/**
 * Who the appointment is for: name, phone, age, gender and the reason for the visit.
 */
import type { Gender } from '../domain.js';
import type { MenuOption } from '../messages.js';
import type { OptionAliases } from '../menuMatching.js';
import { matchMenuAnswer } from '../menuMatching.js';
import { validateAge, validateName, validatePhone, validatePurpose, type Validated } from '../validation.js';
import { lastBooking } from './appointments.js';
import { GENDER_LABELS } from './describe.js';
import type { Step, Turn } from './turn.js';

/** Applies a validator to a typed answer: stores the value, or explains the problem and asks again. */
async function acceptTyped<T>(turn: Turn, validate: (text: string) => Validated<T>, store: (value: T) => void): Promise<boolean> {
  const text = await turn.typedAnswer();
  if (text === undefined) return false;
  const result = validate(text);
  if (!result.ok) {
    turn.notice(result.problem);
    await turn.askAgain();
    return false;
  }
  store(result.value);
  return true;
}

const YES_NO_ALIASES: OptionAliases = {
  same: ['yes', 'y', 'haan', 'ha', 'ok', 'हाँ'],
  new: ['no', 'n', 'nahi', 'नहीं', 'someone else'],
};

export const confirmingReturningPatientStep: Step = {
  async enter(turn) {
    const last = await lastBooking(turn);
    if (!last) return turn.replaceWith('AWAITING_NAME');
    const p = last.patient;
    turn.menu(
      `Welcome back! Book for the same patient?\n${p.name}, ${p.age}, ${GENDER_LABELS[p.gender]}\nPhone: ${p.phone}`,
      [
        { id: 'same', label: `Yes, book for ${p.name}` },
        { id: 'new', label: 'No, enter new details' },
      ],
    );
  },
  async handle(turn) {
    const option = await turn.chosenOption(YES_NO_ALIASES);
    if (!option) return;
    const last = option.id === 'same' ? await lastBooking(turn) : undefined;
    if (!last) return turn.goTo('AWAITING_NAME');
    Object.assign(turn.session.draft, { ...last.patient });
    await turn.goTo('AWAITING_PURPOSE');
  },
};

export const awaitingNameStep: Step = {
  async enter(turn) {
    turn.text("What is the patient's full name?");
  },
  async handle(turn) {
    if (await acceptTyped(turn, validateName, (name) => (turn.session.draft.name = name))) await turn.goTo('AWAITING_PHONE');
  },
};

const USE_PLATFORM_PHONE = 'use-platform-phone';

export const awaitingPhoneStep: Step = {
  acceptsContact: true,
  async enter(turn) {
    const known = turn.inbound.phone;
    if (known) {
      turn.menu(`Shall we use ${known} for this booking? You can also type another number.`, [
        { id: USE_PLATFORM_PHONE, label: `Use ${known}` },
      ]);
    } else {
      turn.say({ kind: 'ask-contact', text: 'What is the mobile number we can reach the patient on? (e.g. 98765 43210)' });
    }
  },
  async handle(turn) {
    const { content, phone: known } = turn.inbound;
    const region = turn.settings.phoneRegion;
    // Typed digits beyond an option number are a number of its own: a fuzzy match against the offered
    // number's label must never swap it for that one (98110 76985 is not +91 98110 76984).
    const typesNumber = content.kind === 'text' && (content.text.match(/\p{Nd}/gu)?.length ?? 0) > 2;
    if (known && !typesNumber && matchMenuAnswer(content, turn.session.menu, { [USE_PLATFORM_PHONE]: ['yes', 'haan', 'ok'] }).kind === 'option') {
      turn.session.draft.phone = known;
      return turn.goTo('AWAITING_AGE');
    }
    if (content.kind === 'contact') {
      const result = validatePhone(content.phone, region);
      if (!result.ok) {
        turn.notice(result.problem);
        return turn.askAgain();
      }
      turn.session.draft.phone = result.value;
      return turn.goTo('AWAITING_AGE');
    }
    if (await acceptTyped(turn, (text) => validatePhone(text, region), (phone) => (turn.session.draft.phone = phone))) {
      await turn.goTo('AWAITING_AGE');
    }
  },
};

export const awaitingAgeStep: Step = {
  async enter(turn) {
    turn.text("How old is the patient, in years? (0 for a baby under one)");
  },
  async handle(turn) {
    if (await acceptTyped(turn, validateAge, (age) => (turn.session.draft.age = age))) await turn.goTo('AWAITING_GENDER');
  },
};

const GENDER_OPTIONS: MenuOption[] = (Object.keys(GENDER_LABELS) as Gender[]).map((id) => ({ id, label: GENDER_LABELS[id] }));

const GENDER_ALIASES: OptionAliases = {
  MALE: ['m', 'man', 'boy', 'purush', 'ladka', 'पुरुष'],
  FEMALE: ['f', 'woman', 'girl', 'mahila', 'ladki', 'महिला'],
  OTHER: ['o', 'anya', 'अन्य'],
  UNDISCLOSED: ['skip', 'prefer not', 'na'],
};

export const awaitingGenderStep: Step = {
  async enter(turn) {
    turn.menu("What is the patient's gender?", GENDER_OPTIONS);
  },
  async handle(turn) {
    const option = await turn.chosenOption(GENDER_ALIASES);
    if (!option) return;
    turn.session.draft.gender = option.id as Gender;
    await turn.goTo('AWAITING_PURPOSE');
  },
};

export const awaitingPurposeStep: Step = {
  async enter(turn) {
    turn.text('Briefly, what is the visit for? (e.g. "fever for 3 days", "skin rash", "follow-up")');
  },
  async handle(turn) {
    if (await acceptTyped(turn, validatePurpose, (purpose) => (turn.session.draft.purpose = purpose))) {
      await turn.goTo('SELECTING_DOCTOR');
    }
  },
};
