/**
 * Shows each QR code to whoever has to scan it: in the terminal (redrawn as WhatsApp rotates it) and,
 * when admins are configured, as a picture in their Telegram chats, for the first few codes of each
 * wait, so an unattended server can still be linked without flooding the admins.
 */
import QRCode from 'qrcode';
import qrcodeTerminal from 'qrcode-terminal';
import type { DeliveryRoute, DocumentFiles } from '../../core/delivery.js';
import type { AdminAlerts, Clock, Outbox } from '../../core/ports.js';
import type { Logger } from '../../logging.js';

export interface QrAnnouncerOptions {
  /** Writes to the terminal. */
  print: (text: string) => void;
  alerts: AdminAlerts;
  /** Admin chats a picture can be pushed to (empty without admins). */
  adminRoutes: readonly DeliveryRoute[];
  /**
   * With ADMIN_PASSWORD, whether a chat is logged in at `now`. The picture links the clinic's
   * WhatsApp to whoever scans it, so it goes only to logged-in chats (and is not held: it expires in
   * seconds). Without it every admin chat gets it.
   */
  loggedIn?: (route: DeliveryRoute, now: Date) => Promise<boolean>;
  outbox: Outbox;
  files: DocumentFiles;
  clock: Clock;
  logger: Logger;
  /** Where the code is also served, for the alert text. */
  qrUrl: () => string;
}

/** Pictures sent to admins per wait for a scan (a code is only valid for about 20 seconds). */
const PICTURES_PER_WAIT = 5;

export class QrAnnouncer {
  private shownThisWait = 0;

  constructor(private readonly options: QrAnnouncerOptions) {}

  /** A scan happened or the wait ended: the next code starts a new wait. */
  reset(): void {
    this.shownThisWait = 0;
  }

  async show(qr: string): Promise<void> {
    const { print, alerts, logger } = this.options;
    this.shownThisWait += 1;
    const first = this.shownThisWait === 1;
    print(
      `\nWhatsApp: scan this QR code with the clinic's phone (WhatsApp > Settings > Linked devices > Link a device).` +
        `${first ? '' : ' It was renewed; the previous one no longer works.'}\n`,
    );
    qrcodeTerminal.generate(qr, { small: true }, (drawing) => print(`${drawing}\n`));
    if (first) {
      await alerts.alert(
        `WhatsApp needs to be linked: scan the QR code with the clinic's phone (WhatsApp > Linked devices > Link a device). ` +
          `It is printed in the server terminal and served at ${this.options.qrUrl()} (admin password).`,
      );
    }
    if (this.shownThisWait <= PICTURES_PER_WAIT) {
      await this.pushPicture(qr).catch((error: unknown) => logger.warn({ err: error }, 'could not send the WhatsApp QR code to the admins'));
    }
  }

  private async pushPicture(qr: string): Promise<void> {
    const { adminRoutes, outbox, files, clock } = this.options;
    if (adminRoutes.length === 0) return;
    const bytes = await QRCode.toBuffer(qr, { type: 'png', width: 360, margin: 2 });
    const fileId = await files.put({ fileName: 'whatsapp-qr.png', mime: 'image/png', bytes });
    const caption =
      this.shownThisWait < PICTURES_PER_WAIT
        ? 'WhatsApp QR code: scan it within about 20 seconds (WhatsApp > Linked devices > Link a device).'
        : `WhatsApp QR code (the last one sent here; fresh ones at ${this.options.qrUrl()}).`;
    for (const route of adminRoutes) {
      if (this.options.loggedIn && !(await this.options.loggedIn(route, clock.now()))) continue;
      await outbox.push(route, [{ kind: 'document', text: caption, fileName: 'whatsapp-qr.png', mime: 'image/png', fileId }], clock.now());
    }
  }
}
