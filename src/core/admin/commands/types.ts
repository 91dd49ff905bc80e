/**
 * The shape every admin command has, and what commands get to work with.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Appointment } from '../../domain.js';
import type { CoreLogger } from '../../flow/turn.js';
import type { Outbound } from '../../messages.js';
import type { AdminRequest, ClinicInfo, ClinicStore, Notifier, Outbox, ReportStorage } from '../../ports.js';
import { clinicDate } from '../../slots.js';
import { parseAdminDate } from '../dates.js';
import { AdminUsageError } from '../errors.js';
import type { LineOptions } from '../format.js';

/** What admin commands read and change. */
export interface AdminDeps {
  store: ClinicStore;
  /** Tells patients of changes made by the clinic (a cancellation), on their own channel. */
  notifier: Notifier;
  outbox: Pick<Outbox, 'listUndeliverable'>;
  reports: ReportStorage;
  clinic: ClinicInfo;
  /** Region of phone numbers typed without a country code. */
  phoneRegion: CountryCode;
  /** Whether lists show patients' full phone numbers (staff call them) or masked ones. */
  fullPhones: boolean;
  /** Called after /paid records cash received, e.g. to issue the invoice; a failure is reported, not fatal. */
  onPaidAtClinic?: (appointment: Appointment) => Promise<void>;
  logger?: CoreLogger;
}

/** One run of a command. */
export interface CommandContext {
  deps: AdminDeps;
  /** Everything typed after the command name, cleaned. */
  args: string;
  request: AdminRequest;
}

/** The replies and a few words for the audit log. */
export interface CommandResult {
  replies: Outbound[];
  summary: string;
}

export interface AdminCommand {
  name: string;
  /** Arguments as the usage line shows them, e.g. "<appointment id> [reason]"; empty when none. */
  usage: string;
  description: string;
  run(context: CommandContext): Promise<CommandResult>;
}

/** Today's date in the clinic. */
export function clinicToday(context: CommandContext): string {
  return clinicDate(context.request.now, context.deps.clinic.timezone);
}

/** The date an admin typed, or a usage error saying how to type one. */
export function requireDate(context: CommandContext, typed: string): string {
  const date = parseAdminDate(typed, context.request.now, context.deps.clinic.timezone);
  if (!date) throw new AdminUsageError(`"${typed.slice(0, 40)}" is not a date. Type e.g. today, tomorrow, 21/11, 21/11/2026 or 2026-11-21.`);
  return date;
}

/** How appointment lines are written for this admin. */
export function lineOptions(context: CommandContext, extra: Partial<LineOptions> = {}): LineOptions {
  return { currency: context.deps.clinic.currency, fullPhones: context.deps.fullPhones, ...extra };
}
