/**
 * The Telegram channel as the composition root starts it: the patient bot (TELEGRAM_BOT_TOKEN) and,
 * when TELEGRAM_ADMIN_BOT_TOKEN is set, the separate admin bot. Each has its outbox sender (replies
 * and pushes are delivered from the durable outbox), its update handler and its way of receiving
 * updates (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set).
 */
import type { AppComponent, AppContext } from '../../component.js';
import { adminChats } from '../../services/delivery/adminChats.js';
import { OutboxSender, SHUTDOWN_DELIVERY_GRACE_MS } from '../../services/delivery/outboxSender.js';
import { alertUndeliverable } from '../../services/delivery/undeliverableAlerts.js';
import { sendMissedAgenda } from '../../services/scheduler/jobs/agenda.js';
import { TelegramBot, type CommandMenu } from './bot.js';
import { PATIENT_COMMANDS } from './commands.js';
import { telegramFileLoader } from './files.js';
import { FirstUpdateCatchUp } from './firstUpdates.js';
import { TelegramTransport } from './transport.js';
import { AdminUpdateHandler, PatientUpdateHandler } from './updates.js';

/** Overrides for tests and the benchmark (e.g. a sender that does not sleep between retries). */
export interface TelegramComponentOverrides {
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The admin bot's webhook: the patient bot's URL with "/admin" appended to its path. */
function adminWebhookUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/admin`;
  return parsed.toString();
}

function webhookOf(ctx: AppContext, url: string | undefined) {
  const secret = ctx.config.telegram.webhookSecret;
  return url && secret ? { webhook: { url, secret } } : {};
}

/** Patient and admin commands in one menu; an admin command of the same name replaces the patient's. */
function mergeCommands(patient: readonly { command: string; description: string }[], admin: readonly { command: string; description: string }[]) {
  const byName = new Map(patient.map((c) => [c.command, { command: c.command, description: c.description }]));
  for (const c of admin) byName.set(c.command, c);
  return [...byName.values()];
}

/** The patient bot, or undefined when TELEGRAM_BOT_TOKEN is not set. */
export function telegramComponent(ctx: AppContext, overrides: TelegramComponentOverrides = {}): Promise<AppComponent | undefined> {
  const { telegram } = ctx.config;
  if (!telegram.botToken) return Promise.resolve(undefined);
  return startBotComponent(ctx, overrides, {
    name: 'telegram',
    token: telegram.botToken,
    tokenVariable: 'TELEGRAM_BOT_TOKEN',
    webhookUrl: telegram.webhookUrl,
  });
}

/** The separate admin bot, or undefined when TELEGRAM_ADMIN_BOT_TOKEN is not set. */
export function telegramAdminComponent(ctx: AppContext, overrides: TelegramComponentOverrides = {}): Promise<AppComponent | undefined> {
  const { telegram } = ctx.config;
  if (!telegram.adminBotToken) return Promise.resolve(undefined);
  return startBotComponent(ctx, overrides, {
    name: 'telegram admin',
    token: telegram.adminBotToken,
    tokenVariable: 'TELEGRAM_ADMIN_BOT_TOKEN',
    webhookUrl: telegram.webhookUrl ? adminWebhookUrl(telegram.webhookUrl) : undefined,
  });
}

async function startBotComponent(
  ctx: AppContext,
  overrides: TelegramComponentOverrides,
  which: { name: 'telegram' | 'telegram admin'; token: string; tokenVariable: string; webhookUrl: string | undefined },
): Promise<AppComponent> {
  const { config, logger, clock, outbox, documents, admin } = ctx;
  const isAdminBot = which.name === 'telegram admin';
  const channel = isAdminBot ? 'telegram-admin' : 'telegram';
  const bot = new TelegramBot({
    name: which.name,
    token: which.token,
    tokenVariable: which.tokenVariable,
    logger,
    ...(config.telegram.apiRoot ? { apiRoot: config.telegram.apiRoot } : {}),
    ...webhookOf(ctx, which.webhookUrl),
  });
  await bot.identify();

  const sender = new OutboxSender({
    outbox,
    transport: new TelegramTransport(channel, bot.telegram),
    files: documents,
    clock,
    logger,
    // The admin bot's own failures are only logged: alerting the admins about them would loop.
    ...(isAdminBot
      ? {}
      : {
          // An admin's own chat on the patient bot: telling the admins would only fail again.
          onUndeliverable: alertUndeliverable({ ...ctx, timezone: ctx.config.clinic.timezone }, 'Telegram', (chatId) => ctx.config.telegram.adminIds.includes(chatId) && !ctx.config.telegram.adminBotToken),
        }),
    ...(overrides.wait ? { wait: overrides.wait } : {}),
  });
  const common = {
    telegram: bot.telegram,
    outbox,
    files: documents,
    clock,
    logger,
    loadFile: telegramFileLoader(bot.telegram),
    maxUploadBytes: config.maxUploadBytes,
    botUsername: () => bot.botUsername,
    ...(admin ? { admin } : {}),
  };
  // With a separate admin bot, admin commands live only there.
  const handler = isAdminBot
    ? new AdminUpdateHandler({ ...common, channel: 'telegram-admin' })
    : new PatientUpdateHandler({
        ...common,
        channel: 'telegram',
        engine: ctx.engine,
        sessions: ctx.sessions,
        ...(admin && !config.telegram.adminBotToken ? { admin } : { admin: undefined }),
      });

  const adminCommands = admin ? admin.commands() : [];
  const adminMenus: CommandMenu[] = config.telegram.adminIds.map((id) => ({
    commands: isAdminBot ? adminCommands : mergeCommands(PATIENT_COMMANDS, adminCommands),
    scope: { type: 'chat', chat_id: Number(id) },
  }));
  const menus: CommandMenu[] = isAdminBot
    ? adminMenus
    : [{ commands: PATIENT_COMMANDS }, ...(admin && !config.telegram.adminBotToken ? adminMenus : [])];

  // The bot that carries admin pushes brings an admin chat the day's agenda it could not get before
  // the admin first opened the bot, ahead of the reply to that first message.
  const pushesToAdmins = adminChats(config.telegram);
  const catchUp =
    admin && pushesToAdmins.channel === channel
      ? new FirstUpdateCatchUp({
          chatIds: pushesToAdmins.chatIds,
          catchUp: (chatId) =>
            sendMissedAgenda(chatId, clock.now(), {
              store: ctx.store,
              alerts: ctx.alerts,
              outbox,
              clinic: config.clinic,
              channel,
            }),
          logger,
          name: which.name,
        })
      : undefined;

  return {
    name: which.name,
    get feature() {
      return bot.feature();
    },
    routes: bot.routes(),
    health: async () => bot.health(),
    async start() {
      sender.start();
      await bot.registerCommands(menus);
      await bot.start(async (update) => {
        const caughtUp = catchUp?.before(update);
        if (caughtUp) await caughtUp;
        await handler.handle(update);
      });
    },
    async stop() {
      await bot.stop();
      await sender.stopWithin(SHUTDOWN_DELIVERY_GRACE_MS);
    },
  };
}
