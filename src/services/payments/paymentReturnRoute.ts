/**
 * GET /payments/done: the page Razorpay sends the patient to after paying a payment link (the link's
 * `callback_url`). It only informs: the signed webhook alone confirms a booking, so this page changes
 * nothing. Razorpay appends `razorpay_payment_id`, `razorpay_payment_link_id`,
 * `razorpay_payment_link_reference_id`, `razorpay_payment_link_status` and `razorpay_signature`, the
 * hex HMAC-SHA256 of `link_id|reference_id|status|payment_id` with the API key secret.
 *
 * The page is self-contained (no scripts, no other files), shows nothing about the patient or the
 * appointment, repeats none of the query, is never cached, and sends no referrer (its address carries
 * the payment's ids).
 */
import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Channel } from '../../core/messages.js';
import type { Logger } from '../../logging.js';
import { verifyWebhookSignature } from './webhookSignature.js';

/** Path of the page; the payment link's callback_url is PUBLIC_BASE_URL followed by this. */
export const PAYMENT_RETURN_PATH = '/payments/done';
/** Razorpay's ids are about 20 characters; anything much longer is not from Razorpay. */
const MAX_PARAMETER_LENGTH = 200;

export interface PaymentReturnRouteOptions {
  /** RAZORPAY_KEY_SECRET: Razorpay signs this redirect with the API key secret, not the webhook secret. */
  keySecret: string;
  logger: Logger;
  /** The channel of the chat that booked a link's appointment, when known: web chat gets a link back to it. */
  chatChannel?: (linkId: string) => Promise<Channel | undefined>;
}

const STYLE =
  'body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#1d2733}' +
  'main{max-width:30rem;margin:12vh auto 0;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.35rem;margin:0 0 .5rem}p{margin:0 0 1rem}a{color:#0b5cad;font-weight:600}';
/** Only this stylesheet may apply: no scripts, images, frames or forms (replaces the app-wide policy here). */
const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGES = {
  paid: { title: 'Payment received', text: 'Your confirmation is waiting in the chat — you can close this page.' },
  unpaid: { title: 'Payment not completed', text: 'Go back to the chat to try again or pay at the clinic.' },
  unchecked: { title: 'We could not check this payment', text: 'This link could not be checked. Please go back to the chat: it shows whether your payment arrived.' },
} as const;

/** The page; fixed texts only, so nothing from the request is ever echoed into it. */
function renderPage(page: (typeof PAGES)[keyof typeof PAGES], backToWebChat: boolean): string {
  const back = backToWebChat ? '<p><a href="/">Back to the chat</a></p>' : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${page.title}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${page.title}</h1><p>${page.text}</p>${back}</main></body></html>`
  );
}

interface PaymentRedirect {
  paymentId: string;
  linkId: string;
  referenceId: string;
  status: string;
  signature: string;
}

/** The redirect's parameters when each is present once, non-empty and of a sensible length. */
function readRedirect(query: Request['query']): PaymentRedirect | undefined {
  const read = (name: string): string | undefined => {
    const value = query[name];
    return typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAMETER_LENGTH ? value : undefined;
  };
  const [paymentId, linkId, referenceId, status, signature] = [
    'razorpay_payment_id',
    'razorpay_payment_link_id',
    'razorpay_payment_link_reference_id',
    'razorpay_payment_link_status',
    'razorpay_signature',
  ].map(read);
  if (!paymentId || !linkId || !referenceId || !status || !signature) return undefined;
  return { paymentId, linkId, referenceId, status, signature };
}

/** Whether Razorpay signed this redirect (the same hex HMAC-SHA256 check as webhooks, over its fields). */
function isGenuine(redirect: PaymentRedirect, keySecret: string): boolean {
  const payload = `${redirect.linkId}|${redirect.referenceId}|${redirect.status}|${redirect.paymentId}`;
  return verifyWebhookSignature(Buffer.from(payload, 'utf8'), redirect.signature, keySecret);
}

/** The route serving {@link PAYMENT_RETURN_PATH}; mount it with the other routes of the payments component. */
export function paymentReturnRoutes(options: PaymentReturnRouteOptions): Router {
  const { keySecret, logger, chatChannel } = options;
  const router = express.Router();
  router.get(PAYMENT_RETURN_PATH, async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    const redirect = readRedirect(req.query);
    if (!redirect || !isGenuine(redirect, keySecret)) {
      logger.warn({ path: PAYMENT_RETURN_PATH, reason: redirect ? 'signature' : 'parameters' }, 'payment return refused: not a genuine Razorpay redirect');
      res.status(400).type('html').send(renderPage(PAGES.unchecked, false));
      return;
    }
    // Only a nicety (a link back to the web chat), so a store that cannot answer just leaves it out.
    const channel = await chatChannel?.(redirect.linkId).catch((error: unknown) => {
      logger.warn({ err: error, linkId: redirect.linkId }, 'payment return: the booking chat could not be looked up');
      return undefined;
    });
    res.status(200).type('html').send(renderPage(redirect.status === 'paid' ? PAGES.paid : PAGES.unpaid, channel === 'web'));
  });
  return router;
}
