/**
 * Drives the hostile-input corpus through one channel driver, step by step, with a few conversations
 * in flight at once. A conversation is reused while inputs leave it untouched (most are refused) and
 * replaced as soon as one moves it on, so each input meets the step it was meant for.
 */
import { CORPUS_STEPS, type CorpusStep, type HostileInput, type HostilePayload } from '../../fixtures/hostile-inputs.js';
import type { ChannelDriver, ConversationSnapshot, DriverConversation } from './channelDriver.js';
import { judgeConversation, judgeOutcome, worldProblems } from './invariants.js';

/** One thing that went wrong, with enough to find the entry again. */
export interface Finding {
  driver: string;
  entry: string;
  step: CorpusStep | '-';
  problem: string;
}

export interface CorpusRun {
  findings: Finding[];
  /** Inputs delivered (walking answers not counted). */
  delivered: number;
  /** Entries of the corpus that went through this driver at least once. */
  entries: Set<string>;
}

/** Another patient of the same service, whose data forged buttons try to reach. */
interface Victim {
  appointmentId: string;
  slotOption: string;
  conversation: DriverConversation;
  before: ConversationSnapshot;
}

function resolve(payload: HostilePayload, victim: Victim): HostilePayload {
  if (payload.kind !== 'choice') return payload;
  return { kind: 'choice', optionId: payload.optionId.replace('{VICTIM_APPOINTMENT}', victim.appointmentId).replace('{VICTIM_SLOT_OPTION}', victim.slotOption) };
}

async function openVictim(driver: ChannelDriver): Promise<Victim> {
  const booked = await driver.open('AWAITING_REPORT_UPLOAD');
  const before = await driver.snapshot(booked);
  const choosing = await driver.open('SELECTING_SLOT');
  const slotOption = (await driver.snapshot(choosing)).menuIds.find((id) => id.startsWith('slot:'));
  if (!before.appointmentId || before.appointmentStatus !== 'CONFIRMED' || !slotOption) throw new Error(`victim not set up: ${JSON.stringify(before)}`);
  return { appointmentId: before.appointmentId, slotOption, conversation: booked, before };
}

/** Reports one conversation may collect before it is replaced (the service takes at most ten). */
const REPORTS_PER_CONVERSATION = 5;

/**
 * The conversation again at `step` if that is cheap: still there, or one "back" away after an
 * accepted answer. Otherwise undefined, and the next input gets a freshly walked patient.
 */
async function reusable(driver: ChannelDriver, conversation: DriverConversation, step: CorpusStep, after: ConversationSnapshot): Promise<DriverConversation | undefined> {
  if (after.state === step) return after.reports < REPORTS_PER_CONVERSATION ? conversation : undefined;
  if (step === 'IDLE' || conversation.messagesSent >= driver.messagesPerConversation) return undefined;
  await driver.send(conversation, { kind: 'text', text: 'back' });
  return (await driver.snapshot(conversation)).state === step ? conversation : undefined;
}

export function appliesTo(entry: HostileInput, driver: ChannelDriver, step: CorpusStep): boolean {
  return entry.steps.includes(step) && entry.channels.includes(driver.channel as never) && driver.supports(entry.payload);
}

/** Runs every applicable entry at every step; `concurrency` conversations are in flight at once. */
export async function driveCorpus(driver: ChannelDriver, corpus: readonly HostileInput[], concurrency: number): Promise<CorpusRun> {
  const run: CorpusRun = { findings: [], delivered: 0, entries: new Set() };
  const report = (entry: string, step: CorpusStep | '-', problems: string[]) => {
    for (const problem of problems) run.findings.push({ driver: driver.name, entry, step, problem });
  };
  const victim = await openVictim(driver);

  for (const step of CORPUS_STEPS) {
    const queue = corpus.filter((entry) => appliesTo(entry, driver, step));
    const worker = async () => {
      let conversation: DriverConversation | undefined;
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        if (!conversation || conversation.messagesSent >= driver.messagesPerConversation) conversation = await driver.open(step);
        const before = await driver.snapshot(conversation);
        const payload = resolve(entry.payload, victim);
        run.delivered += 1;
        run.entries.add(entry.id);
        try {
          const outcome = await driver.send(conversation, payload);
          const after = await driver.snapshot(conversation);
          report(entry.id, step, judgeOutcome(outcome, payload));
          const expected = driver.overHttp ? entry.httpError : undefined;
          if (expected && (outcome.kind !== 'http-error' || outcome.status !== expected.status || outcome.code !== expected.code)) {
            report(entry.id, step, [`should have been answered ${expected.status} ${expected.code}, got ${JSON.stringify(outcome).slice(0, 200)}`]);
          }
          report(
            entry.id,
            step,
            judgeConversation(step, before, after, { refused: entry.refusedAt?.includes(step) ?? false, accepted: entry.acceptedAt?.includes(step) ?? false }),
          );
          conversation = await reusable(driver, conversation, step, after);
        } catch (error) {
          report(entry.id, step, [`delivery failed: ${error instanceof Error ? error.message : String(error)}`]);
          conversation = undefined;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    // The service must still be up after every batch.
    if (!(await driver.healthy().catch(() => false))) report('-', step, ['the service is not healthy after this batch']);
  }

  const victimAfter = await driver.snapshot(victim.conversation);
  if (victimAfter.appointmentStatus !== 'CONFIRMED' || victimAfter.state !== victim.before.state) {
    report('victim', '-', [`another patient's forged buttons changed this patient's booking: ${JSON.stringify(victimAfter)}`]);
  }
  const appointment = await driver.world.store.getAppointment(victim.appointmentId);
  if (appointment?.patientConfirmedAt) report('victim', '-', ["another patient confirmed this patient's appointment"]);
  report('-', '-', await worldProblems(driver.world));
  return run;
}
