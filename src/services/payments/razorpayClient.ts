/**
 * The Razorpay SDK, set up for this service: RAZORPAY_API_URL pointing it elsewhere, a timeout, and
 * its errors turned into one typed error. Only the payment-link calls the service uses are exposed.
 */
import Razorpay from 'razorpay';
import { ClinicError } from '../../core/errors.js';

/** Razorpay's API host; the SDK's paths ("/v1/payment_links") are appended to it. */
export const RAZORPAY_DEFAULT_API_URL = 'https://api.razorpay.com';
/** A patient waits on link creation, so a hung API must fail instead of hanging the chat. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface RazorpaySettings {
  keyId: string;
  keySecret: string;
  /** Replaces https://api.razorpay.com (a proxy, or a test emulator); the /v1 paths stay. */
  apiUrl?: string;
}

/** The Razorpay API refused a request or could not be reached. */
export class PaymentProviderError extends ClinicError {
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly description: string,
  ) {
    super(
      `Razorpay ${operation} failed${status ? ` (HTTP ${status}${code ? ` ${code}` : ''})` : ''}: ${description}. ` +
        'Check the Razorpay keys and RAZORPAY_API_URL, or try again later.',
    );
  }
}

/** A payment made on a link, as the link entity lists it. */
export interface RazorpayLinkPayment {
  payment_id: string;
  amount: number;
  status: string;
}

/** The fields of a payment link entity the service reads. */
export interface RazorpayPaymentLink {
  id: string;
  short_url: string;
  status: 'created' | 'partially_paid' | 'paid' | 'expired' | 'cancelled';
  amount: number;
  amount_paid: number;
  currency: string;
  reference_id?: string;
  order_id?: string;
  expire_by?: number;
  payments?: RazorpayLinkPayment[] | null;
}

export interface CreatePaymentLinkBody {
  amount: number;
  currency: string;
  accept_partial: false;
  reference_id: string;
  description: string;
  expire_by: number;
  customer: { name: string; contact: string };
  notify: { sms: boolean; email: boolean };
  reminder_enable: boolean;
  notes: Record<string, string>;
}

/** The part of the SDK's internals the base URL override touches (see {@link pointSdkAt}). */
interface SdkHttpClient {
  api?: { rq?: { defaults: { baseURL?: string; timeout?: number } } };
}

/**
 * Points the SDK at another host. razorpay-node 2.x has no constructor option for its host: its API
 * class builds one axios instance (`api.rq`) with baseURL "https://api.razorpay.com" and requests
 * "/v1/…" paths relative to it. Changing that instance's defaults is the one place every resource
 * goes through, so all calls follow; if a future SDK drops `api.rq`, start-up fails loudly here
 * instead of silently calling the real API.
 */
function pointSdkAt(sdk: Razorpay, apiUrl: string | undefined): void {
  const http = (sdk as unknown as SdkHttpClient).api?.rq;
  if (!http) throw new Error('This razorpay SDK version has no api.rq HTTP client; RAZORPAY_API_URL cannot be applied.');
  if (apiUrl) http.defaults.baseURL = apiUrl.replace(/\/+$/, '');
  http.defaults.timeout = REQUEST_TIMEOUT_MS;
}

/** The SDK rejects with `{statusCode, error: {code, description}}`, or a plain Error on network failure. */
function providerError(operation: string, error: unknown): PaymentProviderError {
  const shaped = error as { statusCode?: unknown; error?: { code?: unknown; description?: unknown } } | undefined;
  if (shaped && typeof shaped === 'object' && typeof shaped.statusCode === 'number') {
    return new PaymentProviderError(
      operation,
      shaped.statusCode,
      typeof shaped.error?.code === 'string' ? shaped.error.code : undefined,
      typeof shaped.error?.description === 'string' ? shaped.error.description : 'no description',
    );
  }
  // razorpay-node's error normaliser reads err.response.status, which throws a TypeError when no
  // response came back at all (connection refused, timeout): that is a network failure.
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentProviderError(operation, undefined, undefined, `no answer from the API (${message})`);
}

/** Payment-link calls through the official SDK. */
export class RazorpayLinks {
  private readonly sdk: Razorpay;

  constructor(settings: RazorpaySettings) {
    this.sdk = new Razorpay({ key_id: settings.keyId, key_secret: settings.keySecret });
    pointSdkAt(this.sdk, settings.apiUrl);
  }

  async create(body: CreatePaymentLinkBody): Promise<RazorpayPaymentLink> {
    try {
      return (await this.sdk.paymentLink.create(body)) as unknown as RazorpayPaymentLink;
    } catch (error) {
      throw providerError('payment link creation', error);
    }
  }

  async fetch(linkId: string): Promise<RazorpayPaymentLink> {
    try {
      return (await this.sdk.paymentLink.fetch(linkId)) as unknown as RazorpayPaymentLink;
    } catch (error) {
      throw providerError('payment link fetch', error);
    }
  }

  async cancel(linkId: string): Promise<RazorpayPaymentLink> {
    try {
      return (await this.sdk.paymentLink.cancel(linkId)) as unknown as RazorpayPaymentLink;
    } catch (error) {
      throw providerError('payment link cancel', error);
    }
  }
}
