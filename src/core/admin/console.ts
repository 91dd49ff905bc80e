/**
 * The clinic's admin commands, channel-neutral: a channel hands in what an admin typed and renders the
 * replies. Authorises the sender, enforces the password login when one is set, runs the command and
 * writes every action to the audit log.
 */
import type { CountryCode } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import type { Appointment } from '../domain.js';
import { ClinicError } from '../errors.js';
import type { CoreLogger } from '../flow/turn.js';
import { KeyedLock } from '../keyedLock.js';
import type { Outbound } from '../messages.js';
import type {
  AdminAlerts,
  AdminConsole,
  AdminLoginStore,
  AdminRequest,
  AuditEntry,
  AuditLog,
  ClinicInfo,
  ClinicStore,
  Notifier,
  Outbox,
  ReportStorage,
} from '../ports.js';
import { appointmentsCommand, findCommand, todayCommand } from './commands/agenda.js';
import { cancelCommand, doneCommand, paidCommand, refundedCommand, refundsCommand } from './commands/changes.js';
import { undeliveredCommand } from './commands/delivery.js';
import { reportCommand } from './commands/reports.js';
import { blockCommand, doctorsCommand, slotsCommand, unblockCommand } from './commands/schedule.js';
import { statsCommand } from './commands/stats.js';
import type { AdminCommand, AdminDeps, CommandResult } from './commands/types.js';
import { MAX_COMMAND_LENGTH, parseCommandLine, type CommandLine } from './commandLine.js';
import { AdminCommandError, AdminUsageError } from './errors.js';
import { maskPhonesIn, reply } from './format.js';
import { AdminLoginGate, type LoginPolicy } from './login.js';

/** Everything the console needs; built by the composition root. */
export interface AdminConsoleOptions {
  store: ClinicStore;
  notifier: Notifier;
  outbox: Pick<Outbox, 'listUndeliverable'>;
  reports: ReportStorage;
  audit: AuditLog;
  /** Where password logins and lockouts are kept (only used with a password). */
  logins: AdminLoginStore;
  /** Platform user ids of the admins (TELEGRAM_ADMIN_IDS). */
  adminIds: readonly string[];
  /** ADMIN_PASSWORD: when set, an admin chat must also /login. */
  password?: string;
  clinic: ClinicInfo;
  phoneRegion: CountryCode;
  /** Tells the other admins when a chat is locked after too many wrong passwords. */
  alerts?: AdminAlerts;
  /** Called after /paid records cash received (the documents work issues the invoice). */
  onPaidAtClinic?: (appointment: Appointment) => Promise<void>;
  logger?: CoreLogger;
  /** Show patients' full phone numbers in lists (default true: staff call patients). */
  fullPhones?: boolean;
  /**
   * Commands that stay with the patient flow even for admins, for when admins use the patient bot
   * (default start, menu, book).
   */
  patientCommands?: readonly string[];
  /**
   * Only answer in private chats (chat id equal to the user id, as Telegram has it), so patient data
   * never lands in a group an admin happens to be in (default true).
   */
  privateChatsOnly?: boolean;
  loginPolicy?: Partial<LoginPolicy>;
  /**
   * The login gate, when it is shared with the admin alerts (which it holds back from chats that are
   * not logged in, for their /login to release). Without it one is made from `password` and `logins`.
   */
  loginGate?: AdminLoginGate;
}

const COMMANDS: readonly AdminCommand[] = [
  todayCommand,
  appointmentsCommand,
  findCommand,
  cancelCommand,
  paidCommand,
  doneCommand,
  doctorsCommand,
  slotsCommand,
  blockCommand,
  unblockCommand,
  reportCommand,
  statsCommand,
  refundsCommand,
  refundedCommand,
  undeliveredCommand,
];

const DEFAULT_PATIENT_COMMANDS = ['start', 'menu', 'book'];
const LOGIN_REQUIRED = 'Please /login first.';

/** "21 Nov 2026, 10:15 PM" in the clinic's time zone. */
function until(date: Date, timezone: string): string {
  return DateTime.fromJSDate(date, { zone: timezone }).setLocale('en-US').toFormat('d LLL yyyy, h:mm a');
}

/** {@link AdminConsole} over the clinic store, the notifier and the outbox. */
export class ClinicAdminConsole implements AdminConsole {
  private readonly admins: ReadonlySet<string>;
  private readonly commandsByName: ReadonlyMap<string, AdminCommand>;
  private readonly patientCommands: ReadonlySet<string>;
  private readonly gate: AdminLoginGate | undefined;
  private readonly deps: AdminDeps;
  /** Commands of one chat run one at a time, so login attempts cannot race past the failure count. */
  private readonly chats = new KeyedLock();

  constructor(private readonly options: AdminConsoleOptions) {
    this.admins = new Set(options.adminIds.map((id) => id.trim()).filter(Boolean));
    this.commandsByName = new Map(COMMANDS.map((c) => [c.name, c]));
    this.patientCommands = new Set(options.patientCommands ?? DEFAULT_PATIENT_COMMANDS);
    this.gate = options.password ? (options.loginGate ?? new AdminLoginGate(options.password, options.logins, options.loginPolicy)) : undefined;
    this.deps = {
      store: options.store,
      notifier: options.notifier,
      outbox: options.outbox,
      reports: options.reports,
      clinic: options.clinic,
      phoneRegion: options.phoneRegion,
      fullPhones: options.fullPhones ?? true,
      ...(options.onPaidAtClinic ? { onPaidAtClinic: options.onPaidAtClinic } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    };
  }

  commands(): { command: string; description: string }[] {
    const list = [
      ...COMMANDS.map((c) => ({ command: c.name, description: c.description })),
      { command: 'help', description: 'The admin commands and how to type them' },
    ];
    if (this.gate) {
      list.push({ command: 'login', description: 'Log in with the admin password' }, { command: 'logout', description: 'Log out of this chat' });
    }
    return list;
  }

  async handle(request: AdminRequest): Promise<Outbound[] | undefined> {
    if (!this.isAdmin(request)) return undefined;
    const line = parseCommandLine(request.text);
    if (!line || this.patientCommands.has(line.name)) return undefined;
    return this.chats.run(`${request.channel}:${request.chatId}`, () => this.handleAdmin(request, line));
  }

  private isAdmin(request: AdminRequest): boolean {
    if (!this.admins.has(request.userId)) return false;
    return this.options.privateChatsOnly === false || request.chatId === request.userId;
  }

  private async handleAdmin(request: AdminRequest, line: CommandLine): Promise<Outbound[] | undefined> {
    if (line.name === 'login') return this.login(request, line.rawArgs);
    if (line.name === 'logout') return this.logout(request);
    const known = line.name === 'help' || this.commandsByName.has(line.name);
    const loggedIn = !this.gate || (await this.gate.loggedInUntil(request, request.now)) !== undefined;
    if (!loggedIn) {
      if (!known) return undefined;
      await this.audit(request, line.name, line.args, 'error', 'refused: not logged in');
      return reply(LOGIN_REQUIRED);
    }
    if (!known) {
      await this.audit(request, line.name, line.args, 'error', 'unknown command');
      return reply(`There is no /${line.name.slice(0, 32)} command. Send /help for the list.`);
    }
    if (request.text.length > MAX_COMMAND_LENGTH) {
      await this.audit(request, line.name, line.args, 'error', 'too long');
      return reply(`That is too long for a command (at most ${MAX_COMMAND_LENGTH} characters). ${this.usage(line.name)}`);
    }
    if (line.name === 'help') {
      await this.audit(request, 'help', '', 'ok', 'shown');
      return reply(this.helpText());
    }
    return this.run(this.commandsByName.get(line.name)!, request, line.args);
  }

  private async run(command: AdminCommand, request: AdminRequest, args: string): Promise<Outbound[]> {
    let result: CommandResult;
    try {
      result = await command.run({ deps: this.deps, args, request });
    } catch (error) {
      if (error instanceof AdminUsageError) {
        await this.audit(request, command.name, args, 'error', error.problem);
        return reply(`${error.problem}\n${this.usage(command.name)}`);
      }
      if (error instanceof AdminCommandError || error instanceof ClinicError) {
        await this.audit(request, command.name, args, 'error', error.message);
        return reply(error.message);
      }
      this.options.logger?.error({ err: error, command: command.name }, 'admin command failed');
      await this.audit(request, command.name, args, 'error', `failed: ${error instanceof Error ? error.name : 'error'}`);
      return reply(`/${command.name} failed unexpectedly; the details are in the service log. Check with /find or /appointments before trying again.`);
    }
    await this.audit(request, command.name, args, 'ok', result.summary);
    return result.replies;
  }

  private async login(request: AdminRequest, password: string): Promise<Outbound[]> {
    const { timezone } = this.options.clinic;
    if (!this.gate) return reply('No admin password is set: admin commands work here without logging in. Send /help.');
    if (!password) return reply('Send /login followed by the admin password.');
    const loggedIn = (end: Date) => `Logged in until ${until(end, timezone)}. You may delete the message with the password. Send /help for the commands.`;
    const outcome = await this.gate.login(request, request.userId, password, request.now, loggedIn);
    switch (outcome.kind) {
      case 'logged-in': {
        const held = outcome.heldAlerts;
        await this.audit(request, 'login', '', 'ok', held ? `logged in; held alerts: ${held.released} released, ${held.stale} stale, ${held.notShown} over the cap` : 'logged in');
        // With held alerts the reply is already written, ahead of them.
        return held ? [] : reply(loggedIn(outcome.until));
      }
      case 'wrong-password':
        await this.audit(request, 'login', '', 'error', `wrong password (${outcome.failures} of ${this.gate.maxFailures})`);
        return reply(`Wrong password. ${outcome.attemptsLeft} attempt${outcome.attemptsLeft === 1 ? '' : 's'} left before this chat is locked.`);
      case 'locked-now':
        await this.audit(request, 'login', '', 'error', `locked until ${outcome.until.toISOString()} after ${this.gate.maxFailures} wrong passwords`);
        // In full: only admins read it, and they must tell which colleague's chat someone is guessing in.
        await this.options.alerts?.alert(
          `⚠️ Admin chat ${request.chatId} is locked until ${until(outcome.until, timezone)} after ${this.gate.maxFailures} wrong passwords.`,
          { dedupeKey: `admin-lockout:${request.channel}:${request.chatId}:${outcome.until.toISOString()}` },
        );
        return reply(`Wrong password. This chat is locked until ${until(outcome.until, timezone)}.`);
      case 'locked':
        await this.audit(request, 'login', '', 'error', 'refused: chat locked');
        return reply(`This chat is locked until ${until(outcome.until, timezone)} after too many wrong passwords.`);
    }
  }

  private async logout(request: AdminRequest): Promise<Outbound[]> {
    if (!this.gate) return reply('No admin password is set, so there is nothing to log out of.');
    await this.gate.logout(request, request.userId, request.now);
    await this.audit(request, 'logout', '', 'ok', 'logged out');
    return reply('Logged out. Send /login <password> to use admin commands again.');
  }

  private usage(name: string): string {
    const command = this.commandsByName.get(name);
    return command ? `Usage: /${command.name}${command.usage ? ` ${command.usage}` : ''}` : 'Send /help for the list of commands.';
  }

  private helpText(): string {
    const lines = COMMANDS.map((c) => `/${c.name}${c.usage ? ` ${c.usage}` : ''} — ${c.description}`);
    if (this.gate) lines.push(`/login <password> — log in (lasts ${this.gate.loginHours} hours)`, '/logout — log out of this chat');
    return ['Admin commands:', ...lines, '', 'Dates: today, tomorrow, 21/11, 21/11/2026 or 2026-11-21.'].join('\n');
  }

  /** Writes one audit entry; a failure to write is logged and never hides the command's reply. */
  private async audit(request: AdminRequest, command: string, args: string, result: AuditEntry['result'], summary: string): Promise<void> {
    const entry: AuditEntry = {
      at: request.now.toISOString(),
      channel: request.channel,
      chatId: request.chatId,
      userId: request.userId,
      command: command.slice(0, 32),
      args: maskPhonesIn(args).slice(0, 300),
      result,
      summary: maskPhonesIn(summary).slice(0, 300),
    };
    try {
      await this.options.audit.record(entry);
    } catch (error) {
      this.options.logger?.error({ err: error, command }, 'admin action could not be written to the audit log');
    }
  }
}
