/**
 * The web chat page (public/) in a real headless Chromium against the real app: a patient books an
 * appointment on a phone-sized screen by tapping and typing, the booking survives a server restart,
 * and reports can be uploaded through the file picker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startApp, type RunningApp } from '../../../src/app.js';
import { launchChromium, PHONE } from '../../support/browser.js';
import { SMALL_PDF } from '../../support/files.js';

const SESSION_KEY = 'clinic-chat.session-id'; // what public/chat.js stores
/** The page globals used in page.evaluate callbacks (the test tsconfig has no DOM types). */
interface PageGlobals {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

const REPLY_TIMEOUT = 20_000;
const TEST_TIMEOUT = 60_000;



let browser: Browser;
let screenshotDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  screenshotDir = process.env.E2E_SCREENSHOT_DIR ?? (await mkdtemp(path.join(tmpdir(), 'web-chat-screens-')));
});

afterEach(async () => {
  // Reverse order: pages and contexts before the apps they talk to, apps before their data dirs.
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
});

// ---------- helpers ----------

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'web-chat-e2e-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the real app on `dataDir`; closed after the test unless the test closed it already. */
async function start(dataDir: string): Promise<Pick<RunningApp, 'url' | 'close'>> {
  const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  cleanups.push(close);
  return { url: app.url, close };
}

interface PageProblems {
  errors: string[];
}

/** A phone-sized page that records script errors and Content-Security-Policy violations. */
async function openPhone(): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext(PHONE);
  cleanups.push(() => context.close());
  context.setDefaultTimeout(REPLY_TIMEOUT);
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (error) => problems.errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Failed requests (a deliberately refused upload, polls during a restart) are expected; broken
    // script and CSP violations are not.
    if (message.type() === 'error' && /Content Security Policy|Uncaught/i.test(message.text())) {
      problems.errors.push(message.text());
    }
  });
  page.on('dialog', (dialog) => void dialog.accept()); // only "New conversation" asks
  return { context, page, problems };
}

const botBubbles = (page: Page) => page.locator('.bubble--bot');
const input = (page: Page) => page.getByLabel('Your message');

/** The enabled button with this label in the newest menu (older menus are disabled by the page). */
const button = (page: Page, name: string | RegExp) =>
  page.getByRole('button', { name, exact: typeof name === 'string', disabled: false }).last();

/** Does something, then waits until the bot has answered and the composer is usable again. */
async function expectReply(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await botBubbles(page).count();
  await action();
  await expect.poll(() => botBubbles(page).count(), { timeout: REPLY_TIMEOUT }).toBeGreaterThan(before);
  await expect.poll(() => page.locator('#send').isEnabled(), { timeout: REPLY_TIMEOUT }).toBe(true);
}

async function say(page: Page, text: string): Promise<void> {
  await expectReply(page, async () => {
    await input(page).fill(text);
    await input(page).press('Enter');
  });
}

async function tap(page: Page, target: string | RegExp | Locator): Promise<void> {
  const locator = typeof target === 'string' || target instanceof RegExp ? button(page, target) : target;
  await expectReply(page, () => locator.click());
}

const lastBotText = (page: Page) => botBubbles(page).last().innerText();

/** Books an appointment with Dr. Asha Verma through the page; returns the appointment id. */
async function bookAppointment(page: Page, options: { beforePaying?: () => Promise<void> } = {}): Promise<string> {
  await button(page, 'Book an appointment').waitFor();
  await tap(page, 'Book an appointment');
  expect(await lastBotText(page)).toMatch(/name/i);
  await say(page, 'Ananya Sharma');

  // ask-contact: the next answer is a phone number, so the page offers the phone keypad.
  expect(await lastBotText(page)).toMatch(/mobile number/i);
  expect(await input(page).getAttribute('inputmode')).toBe('tel');
  await say(page, '98765 43210');
  expect(await input(page).getAttribute('inputmode')).toBe('text');

  expect(await lastBotText(page)).toMatch(/how old/i);
  await say(page, '34');
  await tap(page, 'Female');
  await say(page, 'Bukhar aur khansi 3 din se'); // Hinglish: "fever and cough for 3 days"

  await tap(page, /^Dr\. Asha Verma \(sample\) · General Physician · ₹500$/);
  expect(await lastBotText(page)).toMatch(/free times on \w{3}, \d{1,2} \w{3} \d{4}/);
  await tap(page, page.locator('.option:not([disabled])').filter({ hasText: /^\d{1,2}:\d{2} [AP]M/ }).first());

  expect(await lastBotText(page)).toMatch(/held for you/i);
  await options.beforePaying?.();
  await tap(page, 'Pay at the clinic');

  const confirmation = page.locator('.bubble--bot', { hasText: 'confirmed' });
  await expect.poll(() => confirmation.count(), { timeout: REPLY_TIMEOUT }).toBe(1);
  const text = await confirmation.innerText();
  expect(text).toContain('Dr. Asha Verma (sample)');
  const id = /APT-[A-Z0-9]{8}/.exec(text)?.[0];
  expect(id, `no appointment id in: ${text}`).toBeDefined();
  // The bot then offers to take a report for the doctor.
  await button(page, 'No report, finish').waitFor();
  // The confirmation PDF follows the text a moment later, pushed after the turn, as a download link.
  await page.getByRole('link', { name: `Download confirmation-${id}.pdf` }).waitFor({ timeout: REPLY_TIMEOUT });
  return id!;
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file });
  console.info(`web chat screenshot: ${file}`);
}

/** Picks a file through the 📎 button and the browser's file chooser, like a patient would. */
async function pickFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /attach a report/i }).click();
  await (await chooser).setFiles(file);
}

// ---------- tests ----------

describe('web chat page', () => {
  it('books an appointment on a phone, never twice on a flaky network, and shows it after a restart', { timeout: TEST_TIMEOUT }, async () => {
    const dataDir = await tempDataDir();
    let app = await start(dataDir);
    const { context, page, problems } = await openPhone();

    await page.goto(app.url);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // A first visit greets with the main menu without the patient having to type anything.
    for (const label of ['Book an appointment', 'My appointments', 'Cancel an appointment', 'Upload a report', 'Contact the clinic', 'Help']) {
      await button(page, label).waitFor();
    }
    const sessionId = await page.evaluate((key) => (globalThis as unknown as PageGlobals).localStorage.getItem(key), SESSION_KEY);
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // On the payment tap the server gets the request and confirms, but the reply is lost on the way
    // back: the page must retry with the same Idempotency-Key and the server must not book twice.
    const postKeys: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/api/chat/')) postKeys.push(request.headers()['idempotency-key'] ?? '');
    });
    let lostOne = false;
    const loseFirstReply = async () => {
      await page.route('**/api/chat/*/messages', async (route) => {
        if (lostOne || route.request().method() !== 'POST') return route.fallback();
        lostOne = true;
        await route.fetch();
        await route.abort('connectionreset');
      });
    };
    const id = await bookAppointment(page, { beforePaying: loseFirstReply });
    await page.unrouteAll({ behavior: 'wait' });
    expect(lostOne).toBe(true);
    const [lost, retried] = postKeys.slice(-2);
    expect(lost).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(retried).toBe(lost);
    expect(await page.locator('.bubble--notice').count()).toBe(0);

    await tap(page, 'No report, finish');
    await button(page, 'My appointments').waitFor();
    await screenshot(page, 'booked');

    // Restart on the same data. The new server listens on another port, i.e. another origin with its
    // own localStorage, so carry the conversation id over as the same browser would have it.
    await app.close();
    app = await start(dataDir);
    await context.addInitScript(
      ({ key, value }) => {
        const { localStorage } = globalThis as unknown as PageGlobals;
        if (!localStorage.getItem(key)) localStorage.setItem(key, value);
      },
      { key: SESSION_KEY, value: sessionId! },
    );
    await page.goto(app.url);

    // The history comes back from the server, confirmation included, and the patient's side too.
    await page.locator('.bubble--bot', { hasText: id }).first().waitFor();
    await page.locator('.bubble--user', { hasText: 'Pay at the clinic' }).first().waitFor();
    await tap(page, 'My appointments');
    const list = page.locator('.bubble--bot', { hasText: /upcoming appointments/i }).last();
    const listed = await list.innerText();
    expect(listed).toContain('Dr. Asha Verma (sample)');
    expect(listed).toContain(id);
    // Exactly one appointment, despite the retried payment tap.
    expect(listed.match(/APT-[A-Z0-9]{8}/g)).toEqual([id]);
    await screenshot(page, 'after-restart');

    expect(problems.errors).toEqual([]);
  });

  it('takes a report through the file picker and explains files it cannot take', { timeout: TEST_TIMEOUT }, async () => {
    const app = await start(await tempDataDir());
    const { page, problems } = await openPhone();
    await page.goto(app.url);
    const id = await bookAppointment(page);

    await tap(page, 'Upload a report');
    expect(await lastBotText(page)).toMatch(/send the report/i);

    // Wrong type and too large: the page explains at once, without uploading anything.
    const notices = page.locator('.bubble--notice');
    await pickFile(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('my symptoms') });
    await expect.poll(() => notices.last().innerText(), { timeout: REPLY_TIMEOUT }).toMatch(/not a PDF, JPG or PNG/);

    const maxMb = Number(await page.locator('meta[name="max-upload-mb"]').getAttribute('content')) || 10;
    await pickFile(page, { name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc((maxMb + 1) * 1024 * 1024, 0x20) });
    await expect.poll(() => notices.last().innerText(), { timeout: REPLY_TIMEOUT }).toMatch(new RegExp(`limit is ${maxMb} MB`));

    // A file named .pdf that is not one: only the server can tell, and the page shows what it says.
    const answers = page.locator('.bubble--bot, .bubble--notice');
    let before = await answers.count();
    await pickFile(page, { name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not really a pdf') });
    await expect.poll(() => answers.count(), { timeout: REPLY_TIMEOUT }).toBeGreaterThan(before);
    await expect.poll(() => page.locator('#send').isEnabled(), { timeout: REPLY_TIMEOUT }).toBe(true);
    expect(await answers.nth(before).innerText()).toMatch(/must be a PDF, JPG or PNG/i);

    // A real PDF is acknowledged for the booked appointment.
    before = await answers.count();
    await pickFile(page, { name: 'blood-test.pdf', mimeType: 'application/pdf', buffer: SMALL_PDF });
    await page.locator('.bubble--user', { hasText: 'blood-test.pdf' }).waitFor();
    await expect.poll(() => answers.count(), { timeout: REPLY_TIMEOUT }).toBeGreaterThan(before);
    const thanks = answers.nth(before);
    expect(await thanks.innerText()).toMatch(/report is attached/i);
    expect(await thanks.innerText()).toContain(id);
    await expect.poll(() => page.locator('#send').isEnabled(), { timeout: REPLY_TIMEOUT }).toBe(true);
    await screenshot(page, 'report-uploaded');

    await tap(page, 'Done');
    await button(page, 'Book an appointment').waitFor();
    expect(problems.errors).toEqual([]);
  });

  it("shows the server's refusals as notices and starts a new conversation on request", { timeout: TEST_TIMEOUT }, async () => {
    const app = await start(await tempDataDir());
    const { page, problems } = await openPhone();
    // Serve the page with a higher client-side limit than the server's, so the server is the one to refuse.
    let serverMb = 0;
    await page.route(
      (url) => url.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        const html = await response.text();
        serverMb = Number(/name="max-upload-mb" content="(\d+)"/.exec(html)?.[1]);
        await route.fulfill({ response, body: html.replace(/(name="max-upload-mb" content=")\d+/, '$150') });
      },
    );
    await page.goto(app.url);
    await button(page, 'Book an appointment').waitFor();
    expect(serverMb).toBeGreaterThan(0);
    const firstId = await page.evaluate((key) => (globalThis as unknown as PageGlobals).localStorage.getItem(key), SESSION_KEY);

    await pickFile(page, { name: 'huge-scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc((serverMb + 1) * 1024 * 1024, 0x20) });
    const notice = page.locator('.bubble--notice').last();
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(new RegExp(`too large.*${serverMb} MB`, 'i'));
    // The refused message is marked, and the composer is usable again.
    await page.locator('.bubble--user.bubble--failed', { hasText: 'huge-scan.pdf' }).waitFor();
    await expect.poll(() => page.locator('#send').isEnabled(), { timeout: REPLY_TIMEOUT }).toBe(true);

    // "New conversation" forgets the id (after confirm) and starts afresh with the main menu.
    await page.getByRole('button', { name: 'New conversation' }).click();
    await button(page, 'Book an appointment').waitFor();
    const secondId = await page.evaluate((key) => (globalThis as unknown as PageGlobals).localStorage.getItem(key), SESSION_KEY);
    expect(secondId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secondId).not.toBe(firstId);
    expect(await page.locator('.bubble--user').count()).toBe(0);
    expect(problems.errors).toEqual([]);
  });
});
