/**
 * The Google Sheets API as this store uses it: the official client (@googleapis/sheets), signed in with
 * a self-signed JWT made from the service-account key (no token round trip), pointed at
 * GOOGLE_SHEETS_API_URL when set. Failures become {@link SheetsApiError}s that say whether a retry can
 * help and how long Google asked us to wait.
 */
import { readFileSync } from 'node:fs';
import { auth as googleAuth, sheets as sheetsClient, type sheets_v4 } from '@googleapis/sheets';
import type { CellValue } from './layout.js';
import { SheetsSetupError } from './errors.js';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

/** The parts of a service-account JSON key the client needs. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
}

/** Where the sheet is and how to sign in to it (the `google` part of the configuration). */
export interface SheetsConnection {
  sheetId: string;
  serviceAccountFile?: string;
  serviceAccountJson?: string;
  /** Replaces https://sheets.googleapis.com/ (a proxy or a test emulator). */
  apiUrl?: string;
}

/** A request the Sheets API refused or that did not reach it. */
export class SheetsApiError extends Error {
  constructor(
    readonly operation: string,
    /** HTTP status, or 0 when no answer came (network failure, timeout). */
    readonly status: number,
    readonly reason: string,
    /** How long the API asked us to wait (Retry-After), when it did. */
    readonly retryAfterMs?: number,
  ) {
    super(`Google Sheets ${operation} failed${status ? ` with HTTP ${status}` : ''}: ${reason}`);
    this.name = 'SheetsApiError';
  }

  /** Quota (429), Google's own failures (5xx) and lost connections are worth retrying. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** Reads the service-account key from GOOGLE_SERVICE_ACCOUNT_JSON or the file GOOGLE_SERVICE_ACCOUNT_FILE. */
export function loadServiceAccountKey(connection: SheetsConnection): ServiceAccountKey {
  const source = connection.serviceAccountJson ? 'GOOGLE_SERVICE_ACCOUNT_JSON' : `GOOGLE_SERVICE_ACCOUNT_FILE (${connection.serviceAccountFile ?? ''})`;
  let text: string;
  if (connection.serviceAccountJson) {
    text = connection.serviceAccountJson;
  } else if (connection.serviceAccountFile) {
    try {
      text = readFileSync(connection.serviceAccountFile, 'utf8');
    } catch (error) {
      throw new SheetsSetupError(
        `Cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}. ` +
          'Point it at the JSON key downloaded from Google Cloud console → IAM → Service accounts → Keys.',
      );
    }
  } else {
    throw new SheetsSetupError('Set GOOGLE_SERVICE_ACCOUNT_FILE or GOOGLE_SERVICE_ACCOUNT_JSON to the service account\'s JSON key.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SheetsSetupError(`${source} is not JSON: use the JSON key of a service account (Keys → Add key → JSON).`);
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  if (typeof record.client_email !== 'string' || typeof record.private_key !== 'string' || !record.private_key.includes('PRIVATE KEY')) {
    throw new SheetsSetupError(
      `${source} is not a service-account key (it needs client_email and private_key): in Google Cloud console open ` +
        'IAM → Service accounts, pick the account, Keys → Add key → Create new key → JSON.',
    );
  }
  return {
    client_email: record.client_email,
    private_key: record.private_key,
    ...(typeof record.private_key_id === 'string' ? { private_key_id: record.private_key_id } : {}),
  };
}

/** Requests made, by kind, as Google counts them against the per-minute quotas. */
export interface RequestCounts {
  reads: number;
  writes: number;
}

const READ_OPTIONS = { valueRenderOption: 'UNFORMATTED_VALUE', dateTimeRenderOption: 'SERIAL_NUMBER', majorDimension: 'ROWS' } as const;
/** How long one request may take before it counts as a lost connection (and is retried). */
const REQUEST_TIMEOUT_MS = 30_000;

/** One spreadsheet, through the official client. */
export class SheetsApi {
  readonly serviceAccountEmail: string;
  readonly sheetId: string;
  readonly counts: RequestCounts = { reads: 0, writes: 0 };
  private readonly client: sheets_v4.Sheets;
  /** Our own retry loop decides (honouring Retry-After), so the client never retries on its own. */
  private readonly callOptions: { retry: false; timeout: number };

  /**
   * @param options.requestTimeoutMs how long one request may hang before it fails as a lost
   *   connection (default 30 s): a request Google never answers must not hold the sheet's lock
   */
  constructor(connection: SheetsConnection, key: ServiceAccountKey = loadServiceAccountKey(connection), options: { requestTimeoutMs?: number } = {}) {
    this.callOptions = { retry: false, timeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS };
    this.serviceAccountEmail = key.client_email;
    this.sheetId = connection.sheetId;
    // google-auth-library's JWT, as re-exported by @googleapis/sheets so both share one class.
    const auth = new googleAuth.JWT({
      email: key.client_email,
      key: key.private_key,
      ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
      scopes: [SHEETS_SCOPE],
    });
    // A JWT signed with our own key is the credential: no call to Google's token endpoint.
    auth.useJWTAccessWithScope = true;
    this.client = sheetsClient({
      version: 'v4',
      auth,
      ...(connection.apiUrl ? { rootUrl: connection.apiUrl.endsWith('/') ? connection.apiUrl : `${connection.apiUrl}/` } : {}),
    });
  }

  /** Titles, ids, frozen rows and grid widths of the tabs. */
  async tabs(): Promise<{ sheetId: number; title: string; frozenRowCount: number; columnCount: number }[]> {
    const response = await this.call('read the spreadsheet', 'reads', () =>
      this.client.spreadsheets.get({ spreadsheetId: this.sheetId, fields: 'sheets.properties' }, this.callOptions),
    );
    return (response.sheets ?? []).map((sheet) => ({
      sheetId: sheet.properties?.sheetId ?? 0,
      title: sheet.properties?.title ?? '',
      frozenRowCount: sheet.properties?.gridProperties?.frozenRowCount ?? 0,
      columnCount: sheet.properties?.gridProperties?.columnCount ?? 26,
    }));
  }

  /** Several ranges in one request, each as rows of unformatted values. */
  async batchGet(ranges: readonly string[]): Promise<CellValue[][][]> {
    const response = await this.call('read', 'reads', () =>
      this.client.spreadsheets.values.batchGet({ spreadsheetId: this.sheetId, ranges: [...ranges], ...READ_OPTIONS }, this.callOptions),
    );
    return ranges.map((_, index) => (response.valueRanges?.[index]?.values ?? []) as CellValue[][]);
  }

  /** One range as rows of unformatted values. */
  async get(range: string): Promise<CellValue[][]> {
    const response = await this.call('read', 'reads', () =>
      this.client.spreadsheets.values.get({ spreadsheetId: this.sheetId, range, ...READ_OPTIONS }, this.callOptions),
    );
    return (response.values ?? []) as CellValue[][];
  }

  /**
   * Appends rows after the table in `range`, RAW (text stays text, "=…" never becomes a formula).
   * Pass the tab alone: then Google appends after the tab's last table, whatever blank rows staff left.
   */
  async append(range: string, rows: (CellValue | null)[][]): Promise<{ updatedRange?: string }> {
    const response = await this.call('append', 'writes', () =>
      this.client.spreadsheets.values.append(
        { spreadsheetId: this.sheetId, range, valueInputOption: 'RAW', insertDataOption: 'INSERT_ROWS', requestBody: { majorDimension: 'ROWS', values: rows } },
        this.callOptions,
      ),
    );
    return response.updates?.updatedRange ? { updatedRange: response.updates.updatedRange } : {};
  }

  /** Writes several ranges in one request, RAW; a null cell is left as it is. */
  async batchUpdate(data: { range: string; values: (CellValue | null)[][] }[]): Promise<void> {
    if (data.length === 0) return;
    await this.call('update', 'writes', () =>
      this.client.spreadsheets.values.batchUpdate(
        { spreadsheetId: this.sheetId, requestBody: { valueInputOption: 'RAW', data: data.map((d) => ({ range: d.range, majorDimension: 'ROWS', values: d.values })) } },
        this.callOptions,
      ),
    );
  }

  /** Structural changes (new tabs, frozen rows, drop-downs). */
  async batchUpdateSpreadsheet(requests: sheets_v4.Schema$Request[]): Promise<sheets_v4.Schema$Response[]> {
    if (requests.length === 0) return [];
    const response = await this.call('change the spreadsheet', 'writes', () =>
      this.client.spreadsheets.batchUpdate({ spreadsheetId: this.sheetId, requestBody: { requests } }, this.callOptions),
    );
    return response.replies ?? [];
  }

  private async call<T>(operation: string, kind: keyof RequestCounts, send: () => Promise<{ data: T }>): Promise<T> {
    this.counts[kind] += 1;
    try {
      return (await send()).data;
    } catch (error) {
      throw toSheetsApiError(operation, error);
    }
  }
}

interface ErrorShape {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; headers?: unknown; data?: unknown };
}

/** Turns whatever the client threw into a {@link SheetsApiError}. */
export function toSheetsApiError(operation: string, error: unknown): SheetsApiError {
  if (error instanceof SheetsApiError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const status = shape.response?.status ?? (typeof shape.status === 'number' ? shape.status : 0);
  const data = shape.response?.data as { error?: { message?: string; status?: string } } | undefined;
  const reason = data?.error?.message ?? shape.message ?? String(error);
  const retryAfter = headerValue(shape.response?.headers, 'retry-after');
  return new SheetsApiError(operation, status, reason, retryAfter === undefined ? undefined : parseRetryAfter(retryAfter));
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Retry-After is seconds or an HTTP date. */
function parseRetryAfter(value: string): number | undefined {
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** How long to wait before retrying, and with what. */
export interface RetryPolicy {
  /** Attempts in all (first one included). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  wait: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultRetryPolicy = (): RetryPolicy => ({
  attempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
});

/**
 * Delay before retry number `attempt` (1 = first retry): what Retry-After asked for, or Google's
 * truncated exponential backoff (1 s, 2 s, 4 s … plus up to one base delay of jitter, at most
 * `maxDelayMs`): the jitter keeps clients that failed together from coming back together, and the
 * doubling floor keeps a quota that refills by the minute from being asked again at once.
 */
export function retryDelay(error: SheetsApiError, attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const jitter = policy.random() * policy.baseDelayMs;
  if (error.retryAfterMs !== undefined) return Math.min(policy.maxDelayMs * 5, error.retryAfterMs + jitter);
  return Math.round(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1) + jitter));
}

/** Runs `send` until it succeeds, retrying only failures a retry can fix. */
export async function withRetries<T>(policy: RetryPolicy, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof SheetsApiError) || !error.retryable || attempt >= policy.attempts) throw error;
      await policy.wait(retryDelay(error, attempt, policy));
    }
  }
}
