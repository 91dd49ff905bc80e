/**
 * A loopback Razorpay API for tests: the real razorpay SDK talks to it (RAZORPAY_API_URL) over HTTP.
 * It speaks the payment-link endpoints the service uses with Razorpay's shapes and rules (basic auth,
 * integer amounts in paise, expire_by at least 15 minutes ahead, unique reference_id, error bodies as
 * {"error": {"code", "description"}}), can fail on demand, and plays the customer's side: paying,
 * failing a payment, expiring a link, each giving the webhook event Razorpay would send, which
 * {@link signedDelivery} turns into a signed delivery.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatedPayment {
  id: string;
  amount: number;
  currency: string;
  status: 'captured' | 'failed';
  order_id: string;
  created_at: number;
}

export interface EmulatedLink {
  id: string;
  amount: number;
  amount_paid: number;
  currency: string;
  accept_partial: boolean;
  description: string;
  reference_id: string;
  expire_by: number;
  customer: { name?: string; contact?: string; email?: string };
  notify: { sms: boolean; email: boolean };
  notes: Record<string, string> | [];
  short_url: string;
  status: 'created' | 'paid' | 'expired' | 'cancelled';
  order_id: string;
  created_at: number;
  updated_at: number;
  cancelled_at: number;
  expired_at: number;
  payments: { payment_id: string; amount: number; status: string; method: string; plink_id: string; created_at: number }[] | null;
}

/** A webhook event as Razorpay posts it. */
export interface RazorpayEvent {
  entity: 'event';
  account_id: string;
  event: string;
  contains: string[];
  payload: Record<string, { entity: unknown }>;
  created_at: number;
}

export interface EmulatorFailure {
  status: number;
  code?: string;
  description?: string;
}

export interface RazorpayEmulatorOptions {
  keyId?: string;
  keySecret?: string;
  /** The emulator's clock (seconds matter for expire_by); the test's clock by default. */
  now?: () => Date;
  /** Delay before each answer (for benchmarks; tests leave it at 0). */
  latencyMs?: number;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function razorpayId(prefix: string): string {
  let id = '';
  for (const byte of randomBytes(14)) id += ID_CHARS[byte % ID_CHARS.length];
  return `${prefix}_${id}`;
}

export class RazorpayEmulator {
  readonly keyId: string;
  readonly keySecret: string;
  readonly links = new Map<string, EmulatedLink>();
  /** Every request received, for assertions (method, path, body). */
  readonly requests: { method: string; path: string; body: unknown }[] = [];
  private readonly failures: EmulatorFailure[] = [];
  private server: Server | undefined;
  private readonly now: () => Date;
  private readonly latencyMs: number;
  url = '';

  constructor(options: RazorpayEmulatorOptions = {}) {
    this.keyId = options.keyId ?? 'rzp_test_emulator';
    this.keySecret = options.keySecret ?? 'emulator-secret';
    this.now = options.now ?? (() => new Date());
    this.latencyMs = options.latencyMs ?? 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The next `count` API requests fail with this status and error. */
  failNext(failure: EmulatorFailure, count = 1): void {
    for (let i = 0; i < count; i += 1) this.failures.push(failure);
  }

  /** The only link of an appointment (by notes.appointment_id). */
  linkFor(appointmentId: string): EmulatedLink {
    const found = [...this.links.values()].filter((l) => !Array.isArray(l.notes) && l.notes.appointment_id === appointmentId);
    if (found.length !== 1) throw new Error(`expected one link for ${appointmentId}, found ${found.length}`);
    return found[0]!;
  }

  /** The customer pays the link (the full amount unless told otherwise); returns payment_link.paid. */
  pay(linkId: string, options: { amount?: number; currency?: string } = {}): RazorpayEvent {
    const link = this.requireLink(linkId);
    const at = this.seconds();
    const payment: EmulatedPayment = {
      id: razorpayId('pay'),
      amount: options.amount ?? link.amount,
      currency: options.currency ?? link.currency,
      status: 'captured',
      order_id: link.order_id,
      created_at: at,
    };
    Object.assign(link, { status: 'paid', amount_paid: payment.amount, updated_at: at });
    link.payments = [...(link.payments ?? []), { payment_id: payment.id, amount: payment.amount, status: 'captured', method: 'upi', plink_id: link.id, created_at: at }];
    return this.event('payment_link.paid', {
      payment_link: link,
      order: { id: link.order_id, entity: 'order', amount: link.amount, amount_paid: payment.amount, amount_due: 0, currency: link.currency, status: 'paid', notes: link.notes },
      payment: this.paymentEntity(link, payment),
    });
  }

  /** A payment attempt on the link fails; returns payment.failed. */
  failPayment(linkId: string): RazorpayEvent {
    const link = this.requireLink(linkId);
    const payment: EmulatedPayment = { id: razorpayId('pay'), amount: link.amount, currency: link.currency, status: 'failed', order_id: link.order_id, created_at: this.seconds() };
    return this.event('payment.failed', { payment: this.paymentEntity(link, payment, 'Payment was declined by the bank.') });
  }

  /** The link's expire_by passes; returns payment_link.expired. */
  expire(linkId: string): RazorpayEvent {
    const link = this.requireLink(linkId);
    Object.assign(link, { status: 'expired', expired_at: this.seconds(), updated_at: this.seconds() });
    return this.event('payment_link.expired', { payment_link: link });
  }

  /** The event Razorpay sends after a cancel (the API call itself only answers the entity). */
  cancelledEvent(linkId: string): RazorpayEvent {
    return this.event('payment_link.cancelled', { payment_link: this.requireLink(linkId) });
  }

  private paymentEntity(link: EmulatedLink, payment: EmulatedPayment, error?: string) {
    return {
      id: payment.id,
      entity: 'payment',
      amount: payment.amount,
      currency: payment.currency,
      status: payment.status,
      order_id: payment.order_id,
      invoice_id: null,
      international: false,
      method: 'upi',
      amount_refunded: 0,
      refund_status: null,
      captured: payment.status === 'captured',
      // Payments on a link carry no notes of their own; the description names the link.
      description: `#${link.id.replace(/^plink_/, '')}`,
      notes: [],
      contact: link.customer.contact ?? null,
      error_code: error ? 'BAD_REQUEST_ERROR' : null,
      error_description: error ?? null,
      created_at: payment.created_at,
    };
  }

  private event(name: string, entities: Record<string, unknown>): RazorpayEvent {
    return {
      entity: 'event',
      account_id: 'acc_Emulator000001',
      event: name,
      contains: Object.keys(entities),
      payload: Object.fromEntries(Object.entries(entities).map(([key, entity]) => [key, { entity: structuredClone(entity) }])),
      created_at: this.seconds(),
    };
  }

  private requireLink(linkId: string): EmulatedLink {
    const link = this.links.get(linkId);
    if (!link) throw new Error(`no emulated link ${linkId}`);
    return link;
  }

  private seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return this.reply(res, 400, error('BAD_REQUEST_ERROR', 'The request body is not valid JSON'));
    }
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push({ method: req.method ?? '', path, body });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

    const expected = `Basic ${Buffer.from(`${this.keyId}:${this.keySecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return this.reply(res, 401, error('BAD_REQUEST_ERROR', 'Authentication failed'));
    const failure = this.failures.shift();
    if (failure) return this.reply(res, failure.status, error(failure.code ?? 'SERVER_ERROR', failure.description ?? 'The server encountered an error'));

    if (req.method === 'POST' && path === '/v1/payment_links') return this.create(res, body);
    const match = /^\/v1\/payment_links\/([^/]+)(\/cancel)?$/.exec(path);
    const link = match ? this.links.get(match[1]!) : undefined;
    if (match && !link) return this.reply(res, 400, error('BAD_REQUEST_ERROR', 'The id provided does not exist'));
    if (link && req.method === 'GET' && !match![2]) return this.reply(res, 200, link);
    if (link && req.method === 'POST' && match![2]) {
      if (link.status !== 'created') return this.reply(res, 400, error('BAD_REQUEST_ERROR', `Payment Link cannot be cancelled as it is ${link.status}`));
      Object.assign(link, { status: 'cancelled', cancelled_at: this.seconds(), updated_at: this.seconds() });
      return this.reply(res, 200, link);
    }
    this.reply(res, 404, error('BAD_REQUEST_ERROR', 'The requested URL was not found on the server.'));
  }

  private create(res: ServerResponse, body: unknown): void {
    const input = (body ?? {}) as Partial<EmulatedLink> & { amount?: unknown; expire_by?: unknown };
    if (typeof input.amount !== 'number' || !Number.isInteger(input.amount) || input.amount < 100) {
      return this.reply(res, 400, error('BAD_REQUEST_ERROR', 'The amount must be an integer of at least 100.', 'amount'));
    }
    const now = this.seconds();
    if (input.expire_by !== undefined && (typeof input.expire_by !== 'number' || input.expire_by < now + 15 * 60)) {
      return this.reply(res, 400, error('BAD_REQUEST_ERROR', 'expire_by should be at least 15 minutes after current time', 'expire_by'));
    }
    if (input.reference_id && [...this.links.values()].some((l) => l.reference_id === input.reference_id)) {
      return this.reply(res, 400, error('BAD_REQUEST_ERROR', `Payment Link with reference id ${input.reference_id} already exists`, 'reference_id'));
    }
    const id = razorpayId('plink');
    const link: EmulatedLink = {
      id,
      amount: input.amount,
      amount_paid: 0,
      currency: input.currency ?? 'INR',
      accept_partial: input.accept_partial ?? false,
      description: input.description ?? '',
      reference_id: input.reference_id ?? '',
      expire_by: (input.expire_by as number | undefined) ?? now + 180 * 24 * 3600,
      customer: input.customer ?? {},
      notify: input.notify ?? { sms: false, email: false },
      notes: input.notes && !Array.isArray(input.notes) && Object.keys(input.notes).length > 0 ? input.notes : [],
      short_url: `https://rzp.io/i/${id.slice(6, 14)}`,
      status: 'created',
      order_id: razorpayId('order'),
      created_at: now,
      updated_at: now,
      cancelled_at: 0,
      expired_at: 0,
      payments: null,
    };
    this.links.set(id, link);
    this.reply(res, 200, link);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

function error(code: string, description: string, field?: string) {
  return { error: { code, description, source: 'business', step: 'payment_initiation', reason: 'input_validation_failed', metadata: {}, ...(field ? { field } : {}) } };
}

/** A webhook delivery: the exact bytes, their signature and Razorpay's headers. */
export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/**
 * Signs an event the way Razorpay does (hex HMAC-SHA256 of the raw body). `indent` re-serialises the
 * same event with other whitespace (a new signature over the new bytes); `eventId` keeps the
 * X-Razorpay-Event-Id of a redelivery.
 */
export function signedDelivery(event: RazorpayEvent, secret: string, options: { eventId?: string; indent?: number } = {}): SignedDelivery {
  const body = JSON.stringify(event, null, options.indent);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-razorpay-signature': createHmac('sha256', secret).update(body).digest('hex'),
      'x-razorpay-event-id': options.eventId ?? razorpayId('evt').replace('evt_', ''),
    },
  };
}

/** Posts a delivery to the service's webhook and returns the answer. */
export async function deliver(baseUrl: string, delivery: SignedDelivery): Promise<Response> {
  return fetch(`${baseUrl}/webhooks/razorpay`, { method: 'POST', headers: delivery.headers, body: delivery.body });
}
