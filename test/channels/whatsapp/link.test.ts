/**
 * Keeping the number linked: the QR login, restarts without a new scan, disconnects mid-conversation
 * (nothing lost, nothing answered twice), logout back to a QR code, giving up after bounded tries,
 * failed sends, and the admins told of each change.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_CHAT, ManualWaits, optionNumber, PATIENT, startAfterEach } from './helpers.js';
import type { AdminLoginGate } from '../../../src/core/admin/login.js';
import { SHUTDOWN_DELIVERY_GRACE_MS } from '../../../src/services/delivery/outboxSender.js';

const start = startAfterEach();

describe('linking the number', () => {
  it('shows a QR code in the terminal, renews it, and tells the admins once with pictures', async () => {
    const bed = await start({ admins: true });
    expect(bed.channel.link.status.state).toBe('waiting-for-qr');
    expect(bed.channel.feature?.detail).toMatch(/waiting for a QR scan/);
    expect(await bed.channel.health?.()).toMatchObject({ ok: true, state: 'waiting-for-qr', waitingForScan: true });
    expect(bed.printed.join('')).toMatch(/Linked devices/);
    expect(bed.printed.join('')).toMatch(/█/);

    bed.whatsapp.client.rotateQr();
    bed.whatsapp.client.rotateQr();
    await bed.settle();
    expect(bed.printed.join('')).toMatch(/renewed/);
    expect(bed.channel.link.pendingQr).toContain('fake-qr-1-3');

    const admin = await bed.adminEntries();
    expect(admin.filter((e) => e.message.kind === 'text' && /needs to be linked/.test(e.message.text))).toHaveLength(1);
    const pictures = admin.filter((e) => e.message.kind === 'document');
    expect(pictures).toHaveLength(3);
    expect(pictures[0]!.message).toMatchObject({ mime: 'image/png', fileName: 'whatsapp-qr.png' });

    bed.whatsapp.client.scan();
    await bed.settle();
    expect(bed.channel.link.status.state).toBe('ready');
    expect(bed.channel.link.pendingQr).toBeUndefined();
    expect(await bed.adminTexts()).toContainEqual(expect.stringMatching(/linked and ready/));
    expect(bed.channel.feature?.detail).toBe('linked and ready');
  });

  it('with ADMIN_PASSWORD, shows the QR picture only in admin chats logged in at that moment', async () => {
    const bed = await start({ admins: true, adminPassword: 'correct horse' });
    const pictures = async () => (await bed.adminEntries()).filter((e) => e.message.kind === 'document');
    await bed.settle();
    expect(await pictures()).toHaveLength(0);

    const gate = bed.context.adminLogins as AdminLoginGate;
    expect((await gate.login(ADMIN_CHAT, ADMIN_CHAT.chatId, 'correct horse', bed.clock.now())).kind).toBe('logged-in');
    bed.whatsapp.client.rotateQr();
    await bed.settle();
    expect(await pictures()).toHaveLength(1);
  });

  it('needs no new scan after a restart: the session is kept in the session directory', async () => {
    const first = await start();
    first.whatsapp.client.scan();
    await first.settle();
    expect(existsSync(path.join(first.sessionDir, 'session'))).toBe(true);

    const second = await start({ sessionDir: first.sessionDir });
    expect(second.channel.link.status.state).toBe('ready');
    expect(second.printed).toEqual([]);
    expect(second.whatsapp.clients[0]!.settings).toEqual({ sessionDir: first.sessionDir, chromePath: '/usr/bin/chromium' });
  });
});

describe('disconnects', () => {
  it('reconnects mid-conversation with nothing lost and nothing answered twice', async () => {
    const waits = new ManualWaits();
    const bed = await start({ admins: true, reconnectWait: waits.wait });
    bed.whatsapp.client.scan();
    await bed.settle();
    await bed.say('hi');
    await bed.choose('Book an appointment');
    const name = bed.whatsapp.say(PATIENT, 'Asha Rao');
    // The connection drops while the bot is answering.
    bed.whatsapp.client.disconnect('NAVIGATION');
    expect(bed.channel.link.status).toMatchObject({ state: 'reconnecting', reason: 'NAVIGATION', attempt: 1 });
    await waits.whenWaiting();
    await bed.channel.inbox.settled();
    expect(waits.count).toBe(1);

    // The reply to the name and a push written during the outage wait in the outbox.
    await bed.context.notifier.send({ channel: 'whatsapp', chatId: PATIENT }, [{ kind: 'text', text: 'A note from the clinic.' }]);
    const sentBefore = bed.whatsapp.sent.length;
    expect((await bed.context.outbox.backlog('whatsapp')).pending).toBe(2);
    expect(await bed.adminTexts()).toContainEqual(expect.stringMatching(/WhatsApp disconnected \(NAVIGATION\)/));
    expect(await bed.channel.health?.()).toMatchObject({ ok: true, state: 'reconnecting', pending: 2 });

    waits.releaseAll();
    await bed.settle();
    expect(bed.whatsapp.clients).toHaveLength(2);
    expect(bed.channel.link.status.state).toBe('ready');
    const afterReconnect = bed.whatsapp.sent.slice(sentBefore);
    expect(afterReconnect.map((m) => m.text)).toEqual([expect.stringContaining('Shall we use +919876543210'), 'A note from the clinic.']);
    expect(afterReconnect.every((m) => m.client === 2)).toBe(true);

    // WhatsApp replays what the new device missed: the name again (handled already), a message from
    // before the link (history), and the patient's answer written during the outage (new).
    const beforeReplay = bed.whatsapp.sent.length;
    bed.whatsapp.deliver(name);
    bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, body: 'old message', timestamp: 1_000_000 }));
    bed.whatsapp.say(PATIENT, optionNumber(bed.whatsapp.sentTo(PATIENT), 'Use +919876543210'));
    await bed.settle();
    const replayed = bed.whatsapp.sent.slice(beforeReplay);
    expect(replayed.map((m) => m.text)).toEqual([expect.stringMatching(/How old/)]);

    // The conversation carries on to the end.
    await bed.say('34');
    await bed.choose('Female');
    await bed.say('Fever');
    await bed.say('1');
    await bed.say('1');
    const confirmation = await bed.choose('Pay at the clinic');
    expect(confirmation.map((m) => m.text).join('\n')).toContain('Appointment confirmed');
    const texts = bed.whatsapp.sentTo(PATIENT).map((m) => m.text);
    expect(new Set(texts.filter((t) => !/Reply 1/.test(t))).size).toBe(texts.filter((t) => !/Reply 1/.test(t)).length);
    expect((await bed.context.outbox.backlog('whatsapp')).pending).toBe(0);
  });

  it('goes back to a QR code after a logout on the phone, with the stored session cleared', async () => {
    const bed = await start({ admins: true });
    bed.whatsapp.client.scan();
    await bed.settle();
    await bed.say('hi');
    expect(readdirSync(bed.sessionDir)).toContain('session');

    bed.whatsapp.client.disconnect('LOGOUT');
    await bed.settle();
    expect(readdirSync(bed.sessionDir)).not.toContain('session');
    expect(bed.whatsapp.clients).toHaveLength(2);
    expect(bed.whatsapp.clients[0]!.phase).toBe('destroyed');
    expect(bed.channel.link.status.state).toBe('waiting-for-qr');
    expect(bed.channel.link.pendingQr).toContain('fake-qr-2-1');
    expect(await bed.adminTexts()).toContainEqual(expect.stringMatching(/logged out on the phone/));

    // Whoever links next starts a new history: what was written before that is not answered.
    bed.clock.advanceMinutes(5);
    const beforeLink = bed.whatsapp.message({ from: PATIENT, body: 'menu' });
    bed.clock.advanceMinutes(1);
    bed.whatsapp.client.scan();
    await bed.settle();
    const sent = bed.whatsapp.sent.length;
    bed.whatsapp.deliver(beforeLink);
    await bed.settle();
    expect(bed.whatsapp.sent).toHaveLength(sent);
    expect((await bed.say('menu')).length).toBeGreaterThan(0);
  });

  it('gives up after a bounded number of tries and tells the admins', async () => {
    const bed = await start({ admins: true, maxReconnectAttempts: 3 });
    bed.whatsapp.client.scan();
    await bed.settle();
    bed.whatsapp.initializeFailures.push(new Error('Failed to launch the browser process'), new Error('net::ERR_NAME_NOT_RESOLVED'), new Error('net::ERR_NAME_NOT_RESOLVED'));
    bed.whatsapp.client.disconnect('CONFLICT');
    await bed.settle();
    expect(bed.whatsapp.clients).toHaveLength(4);
    expect(bed.channel.link.status.state).toBe('failed');
    expect(bed.channel.link.status.reason).toMatch(/gave up after 3 tries/);
    expect(await bed.channel.health?.()).toMatchObject({ ok: false, state: 'failed' });
    const admin = await bed.adminTexts();
    expect(admin.filter((t) => /disconnected/.test(t))).toHaveLength(1);
    expect(admin).toContainEqual(expect.stringMatching(/WhatsApp is not connected: .*gave up after 3 tries/));
  });

  it('starts counting tries again after each successful reconnect', async () => {
    const waits = new ManualWaits();
    const bed = await start({ reconnectWait: waits.wait });
    bed.whatsapp.client.scan();
    await bed.settle();
    for (let drop = 0; drop < 3; drop += 1) {
      bed.whatsapp.client.disconnect('TIMEOUT');
      expect(bed.channel.link.status).toMatchObject({ state: 'reconnecting', attempt: 1 });
      await waits.whenWaiting();
      waits.releaseAll();
      await bed.settle();
      expect(bed.channel.link.status.state).toBe('ready');
    }
  });
});

describe('sending', () => {
  it('retries a send that failed because the page went away, and sends it once', async () => {
    const bed = await start();
    bed.whatsapp.client.scan();
    await bed.settle();
    bed.whatsapp.sendFailures.push(new Error('Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.'));
    bed.whatsapp.sendFailures.push(new Error('Evaluation failed: TypeError: Cannot read properties of undefined'));
    await bed.context.notifier.send({ channel: 'whatsapp', chatId: PATIENT }, [{ kind: 'text', text: 'Your appointment is tomorrow.' }]);
    await bed.settle();
    expect(bed.whatsapp.sentTo(PATIENT).map((m) => m.text)).toEqual(['Your appointment is tomorrow.']);
    const [entry] = await bed.context.outbox.listAfter({ channel: 'whatsapp', chatId: PATIENT }, 0, 10);
    expect(entry).toMatchObject({ state: 'sent', attempts: 3 });
  });

  it('marks a message to a number that is not on WhatsApp undeliverable and tells the admins', async () => {
    const bed = await start({ admins: true });
    bed.whatsapp.client.scan();
    await bed.settle();
    const nobody = '911111111111@c.us';
    bed.whatsapp.notOnWhatsApp.add(nobody);
    await bed.context.notifier.send({ channel: 'whatsapp', chatId: nobody }, [{ kind: 'text', text: 'Reminder' }]);
    await bed.settle();
    const [entry] = await bed.context.outbox.listAfter({ channel: 'whatsapp', chatId: nobody }, 0, 10);
    expect(entry).toMatchObject({ state: 'undeliverable', lastError: 'this number is not on WhatsApp' });
    // The number was looked up before it was given up on.
    expect(bed.whatsapp.lookups).toEqual([nobody]);
    const alerts = await bed.adminTexts();
    expect(alerts).toContainEqual(expect.stringMatching(/could not be delivered \(this number is not on WhatsApp\)/));
    // Staff can tell which patient it is without reading the whole number.
    expect(alerts).toContainEqual(expect.stringContaining('WhatsApp chat 91******1111@c.us cannot be reached'));
    expect(alerts.join('\n')).not.toContain('911111111111');
  });

  it('keeps retrying "No LID for user" for a patient who wrote in, and tells no one they cannot be reached', async () => {
    const bed = await start({ admins: true });
    bed.whatsapp.client.scan();
    await bed.settle();
    // WhatsApp Web fails to look up a contact who is on WhatsApp (a known fault of its LID migration).
    bed.whatsapp.sendFailures.push(new Error('Evaluation failed: Error: No LID for user'), new Error('Evaluation failed: Error: No LID for user'));
    const reply = await bed.say('hi');
    expect(reply.map((m) => m.text).join('\n')).toMatch(/Book an appointment/);
    const [first, ...rest] = await bed.context.outbox.listAfter({ channel: 'whatsapp', chatId: PATIENT }, 0, 10);
    expect(first).toMatchObject({ state: 'sent', attempts: 3 });
    expect(rest.every((entry) => entry.state === 'sent')).toBe(true);
    expect(bed.whatsapp.lookups).toEqual([PATIENT, PATIENT]);
    expect(await bed.adminTexts()).not.toContainEqual(expect.stringMatching(/cannot be reached/));
    expect(await bed.channel.health?.()).toMatchObject({ undeliverable: 0 });
  });

  it('retries a chat WhatsApp could not open when it hides the number, without looking it up as one', async () => {
    const bed = await start({ admins: true });
    bed.whatsapp.client.scan();
    await bed.settle();
    const hidden = '201234567890123@lid';
    bed.whatsapp.unopenableChats.set(hidden, 2);
    await bed.context.notifier.send({ channel: 'whatsapp', chatId: hidden }, [{ kind: 'text', text: 'Your appointment is tomorrow.' }]);
    await bed.settle();
    expect(bed.whatsapp.sentTo(hidden).map((m) => m.text)).toEqual(['Your appointment is tomorrow.']);
    const [entry] = await bed.context.outbox.listAfter({ channel: 'whatsapp', chatId: hidden }, 0, 10);
    expect(entry).toMatchObject({ state: 'sent', attempts: 3 });
    // whatsapp-web.js would look it up as "…@lid@c.us", which is never registered.
    expect(bed.whatsapp.lookups).toEqual([]);
    expect(await bed.adminTexts()).not.toContainEqual(expect.stringMatching(/cannot be reached/));
  });

  it('sends documents as files with their caption', async () => {
    const bed = await start();
    bed.whatsapp.client.scan();
    await bed.settle();
    const bytes = new TextEncoder().encode('%PDF-1.4 confirmation');
    await bed.context.notifier.send({ channel: 'whatsapp', chatId: PATIENT }, [
      { kind: 'document', fileName: 'APT-1.pdf', mime: 'application/pdf', bytes, caption: 'Your confirmation' },
      { kind: 'link', text: 'Please pay to confirm.', url: 'https://rzp.io/l/abc', label: 'Pay ₹500' },
    ]);
    await bed.settle();
    const [document, link] = bed.whatsapp.sentTo(PATIENT);
    expect(document).toMatchObject({ text: 'Your confirmation', options: { sendMediaAsDocument: true, caption: 'Your confirmation' } });
    expect(document!.document).toMatchObject({ mimetype: 'application/pdf', filename: 'APT-1.pdf' });
    expect(Buffer.compare(document!.document!.bytes, Buffer.from(bytes))).toBe(0);
    expect(link!.text).toBe('Please pay to confirm.\n\nPay ₹500: https://rzp.io/l/abc');
  });

  it('paces sends across all chats at the configured rate, in order within each chat', async () => {
    for (const [perSecond, gap] of [
      [1, 1000],
      [4, 250],
    ] as const) {
      const bed = await start({ sendPerSecond: perSecond });
      bed.whatsapp.client.scan();
      await bed.settle();
      const chats = ['919800000001@c.us', '919800000002@c.us', '919800000003@c.us'];
      for (const chatId of chats) {
        await bed.context.notifier.send({ channel: 'whatsapp', chatId }, [1, 2, 3].map((n) => ({ kind: 'text' as const, text: `${chatId} #${n}` })));
      }
      await bed.settle();
      const sent = bed.whatsapp.sent;
      expect(sent).toHaveLength(9);
      const times = sent.map((m) => m.at!);
      for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(gap);
      expect(times[times.length - 1]! - times[0]!).toBe(8 * gap);
      for (const chatId of chats) expect(bed.whatsapp.sentTo(chatId).map((m) => m.text)).toEqual([1, 2, 3].map((n) => `${chatId} #${n}`));
    }
  });
});

describe('a clean shutdown', () => {
  /** A grace that ends only when the sender no longer needs it: a shutdown that waits in vain hangs. */
  const untilAborted = (_ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  const reminder = { kind: 'text', text: 'Reminder: your appointment is tomorrow at 10:00 AM' } as const;

  it('lets replies already stored go out over a live link first', async () => {
    const bed = await start({ senderWait: untilAborted });
    bed.whatsapp.client.scan();
    await bed.settle();
    expect(bed.channel.link.status.state).toBe('ready');
    await bed.context.outbox.push({ channel: 'whatsapp', chatId: PATIENT }, [reminder, reminder], bed.clock.now());
    await bed.channel.stop!();
    expect(bed.whatsapp.sentTo(PATIENT).map((m) => m.text)).toEqual([reminder.text, reminder.text]);
    expect(await bed.context.outbox.backlog('whatsapp')).toMatchObject({ pending: 0 });
  });

  it('is not held by a send WhatsApp Web never answers: the grace ends it and the message waits for the next start', async () => {
    const waits: number[] = [];
    const bed = await start({ senderWait: async (ms) => void waits.push(ms) });
    bed.whatsapp.client.scan();
    await bed.settle();
    // A frozen page: the send neither succeeds nor fails, and closing the browser does not end it here.
    bed.whatsapp.frozenChats.add(PATIENT);
    await bed.context.outbox.push({ channel: 'whatsapp', chatId: PATIENT }, [reminder, reminder], bed.clock.now());
    await bed.whatsapp.whenSendStuck();

    await bed.channel.stop!();
    // The replies had the promised grace, and no more.
    expect(waits[0]).toBe(SHUTDOWN_DELIVERY_GRACE_MS);
    expect(bed.channel.link.status.state).toBe('stopped');
    expect(bed.whatsapp.client.phase).toBe('destroyed');
    expect(bed.whatsapp.stuckSends).toEqual([PATIENT]);
    // Both stay pending (the first may have gone out: it is the one message a restart can repeat).
    const entries = await bed.context.outbox.listAfter({ channel: 'whatsapp', chatId: PATIENT }, 0, 10);
    expect(entries.map((e) => e.state)).toEqual(['pending', 'pending']);
    expect(await bed.context.outbox.backlog('whatsapp')).toMatchObject({ pending: 2 });
  }, 10_000);

  it('does not wait on a link that is down, and keeps the messages for the next start', async () => {
    const bed = await start({ senderWait: untilAborted });
    expect(bed.channel.link.status.state).toBe('waiting-for-qr');
    await bed.context.outbox.push({ channel: 'whatsapp', chatId: PATIENT }, [reminder], bed.clock.now());
    await bed.channel.stop!();
    expect(bed.whatsapp.sentTo(PATIENT)).toEqual([]);
    expect(await bed.context.outbox.backlog('whatsapp')).toMatchObject({ pending: 1 });
  });
});

