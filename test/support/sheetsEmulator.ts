/**
 * A loopback Google Sheets API v4 for tests: the real @googleapis/sheets client talks to it over HTTP.
 * It checks the self-signed service-account JWT against the test's public key and that the sheet is
 * shared with that account, speaks the values endpoints (get, batchGet, append, update, batchUpdate)
 * and spreadsheets get/batchUpdate (addSheet, updateSheetProperties for frozen rows, setDataValidation),
 * and can enforce per-minute read/write quotas (429), add latency and fail on demand. Tests edit cells
 * as staff would through its methods.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export type Cell = string | number | boolean;

/** A test service account: the JSON key the service reads and the public half the emulator checks. */
export interface TestServiceAccount {
  email: string;
  keyJson: string;
  publicKey: KeyObject;
}

/** Makes an RSA key pair and a service-account JSON key around it. */
export function makeServiceAccount(email = 'clinic-bot@test-project.iam.gserviceaccount.com'): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyJson = JSON.stringify({
    type: 'service_account',
    project_id: 'test-project',
    private_key_id: 'test-key-1',
    private_key: pem,
    client_email: email,
    client_id: '1',
    token_uri: 'http://127.0.0.1:9/token', // never called: the service signs its own JWT
  });
  return { email, keyJson, publicKey };
}

interface Tab {
  sheetId: number;
  title: string;
  rows: Cell[][];
  /** Cells written with USER_ENTERED that start with "=" (formulas), as "row:col". */
  formulas: Set<string>;
  frozenRowCount: number;
  /** The grid's width: API writes beyond it are refused, as Google does ("exceeds grid limits"). */
  columnCount: number;
  validations: { startRow: number; endRow?: number; startColumn: number; endColumn: number; values: string[] }[];
}

/** A parsed A1 range; undefined bounds are open. Rows and columns are zero-based, ends exclusive. */
interface GridRange {
  tab: Tab;
  startRow: number;
  endRow?: number;
  startColumn: number;
  endColumn?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  kind: 'read' | 'write';
  /** valueInputOption of value writes. */
  valueInputOption?: string;
  status: number;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface SheetsEmulatorOptions {
  spreadsheetId?: string;
  /** Accounts whose JWTs are accepted (their public keys). */
  accounts: TestServiceAccount[];
  /** E-mails the spreadsheet is shared with; default: every account. */
  sharedWith?: string[];
  /** Milliseconds added to every answer (real, keep it small). */
  latencyMs?: number;
  /** Per-minute quotas, as Google enforces per user; unlimited when absent. */
  quota?: { readsPerMinute: number; writesPerMinute: number };
  /** Time source for quotas and JWT expiry (default Date.now). */
  now?: () => number;
}

type Failure = { status: number; retryAfterSeconds?: number; afterApply?: boolean; only?: 'read' | 'write' };

/** The emulated spreadsheet and its HTTP server. */
export class SheetsEmulator {
  readonly spreadsheetId: string;
  readonly requests: RecordedRequest[] = [];
  latencyMs: number;
  quota: { readsPerMinute: number; writesPerMinute: number } | undefined;
  /** While set, requests wait for it before they are answered (Google not answering). */
  private held: Promise<void> | undefined;

  /** Requests go unanswered until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  /** Called before a write request is applied: lets staff edit "while a booking is being written". */
  beforeWrite: ((request: RecordedRequest) => void | Promise<void>) | undefined;
  /** Called with every request once its answer is recorded: tests await the service's traffic instead of sleeping. */
  onAnswer: ((request: RecordedRequest) => void) | undefined;
  private readonly tabs: Tab[] = [];
  private nextSheetId = 1;
  private readonly keys = new Map<string, KeyObject>();
  private readonly sharedWith: Set<string>;
  private readonly now: () => number;
  private readonly failures: Failure[] = [];
  private randomFailure: { rate: number; statuses: number[]; random: () => number; afterApplyRate?: number } | undefined;
  private readonly usage: { read: number[]; write: number[] } = { read: [], write: [] };
  private server: Server | undefined;
  url = '';

  constructor(options: SheetsEmulatorOptions) {
    this.spreadsheetId = options.spreadsheetId ?? 'test-spreadsheet-1';
    for (const account of options.accounts) this.keys.set(account.email, account.publicKey);
    this.sharedWith = new Set(options.sharedWith ?? options.accounts.map((a) => a.email));
    this.latencyMs = options.latencyMs ?? 0;
    this.quota = options.quota;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  // ---- what tests do as staff ----

  addTab(title: string, rows: Cell[][] = []): void {
    if (this.findTab(title)) throw new Error(`tab ${title} exists`);
    this.tabs.push({ sheetId: this.nextSheetId++, title, rows: rows.map((r) => [...r]), formulas: new Set(), frozenRowCount: 0, columnCount: widest(rows), validations: [] });
  }

  removeTab(title: string): void {
    const index = this.tabs.findIndex((t) => t.title === title);
    if (index >= 0) this.tabs.splice(index, 1);
  }

  tabTitles(): string[] {
    return this.tabs.map((t) => t.title);
  }

  /** A copy of a tab's rows (row 1 first). */
  rows(title: string): Cell[][] {
    return this.tab(title).rows.map((row) => [...row]);
  }

  /** Replaces a tab's rows (staff reordering or renaming columns, sorting, …). */
  setRows(title: string, rows: Cell[][]): void {
    const tab = this.tab(title);
    tab.rows = rows.map((row) => [...row]);
    tab.columnCount = Math.max(tab.columnCount, widest(rows));
  }

  /** Sets one cell, 1-based row and zero-based column, as staff typing (the value as Sheets stores it). */
  setCell(title: string, rowNumber: number, column: number, value: Cell): void {
    const tab = this.tab(title);
    tab.columnCount = Math.max(tab.columnCount, column + 1);
    writeCell(tab, rowNumber - 1, column, value);
  }

  /** Inserts a row before 1-based `rowNumber`, shifting the rest down. */
  insertRow(title: string, rowNumber: number, values: Cell[] = []): void {
    const tab = this.tab(title);
    tab.columnCount = Math.max(tab.columnCount, values.length);
    tab.rows.splice(rowNumber - 1, 0, [...values]);
  }

  /** Deletes 1-based row `rowNumber`, shifting the rest up. */
  deleteRow(title: string, rowNumber: number): void {
    this.tab(title).rows.splice(rowNumber - 1, 1);
  }

  /** Rows of a tab as objects keyed by the header row (row 1), blank rows skipped. */
  records(title: string): Record<string, Cell>[] {
    const [header = [], ...rows] = this.tab(title).rows;
    return rows
      .filter((row) => row.some((cell) => cell !== ''))
      .map((row) => Object.fromEntries(header.map((name, index) => [String(name), row[index] ?? ''])));
  }

  isFormula(title: string, rowNumber: number, column: number): boolean {
    return this.tab(title).formulas.has(`${rowNumber - 1}:${column}`);
  }

  frozenRows(title: string): number {
    return this.tab(title).frozenRowCount;
  }

  validations(title: string): Tab['validations'] {
    return this.tab(title).validations.map((v) => ({ ...v, values: [...v.values] }));
  }

  share(email: string): void {
    this.sharedWith.add(email);
  }

  unshare(email: string): void {
    this.sharedWith.delete(email);
  }

  /**
   * The next `count` requests fail with `status` (afterApply: a write is applied, then fails; only:
   * just reads or just writes count, the others pass).
   */
  failNext(count: number, status: number, options: { retryAfterSeconds?: number; afterApply?: boolean; only?: 'read' | 'write' } = {}): void {
    for (let i = 0; i < count; i += 1) this.failures.push({ status, ...options });
  }

  /** Every request fails with probability `rate`, with one of `statuses`. */
  failRandomly(rate: number, statuses: number[], random: () => number, afterApplyRate = 0): void {
    this.randomFailure = rate > 0 ? { rate, statuses, random, afterApplyRate } : undefined;
  }

  count(kind: 'read' | 'write', status?: number): number {
    return this.requests.filter((r) => r.kind === kind && (status === undefined || r.status === status)).length;
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const kind: 'read' | 'write' = method === 'GET' ? 'read' : 'write';
    const record: RecordedRequest = { method, path: url.pathname, kind, status: 200 };
    let status = 200;
    let headers: Record<string, string> = {};
    let body: unknown;
    try {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      if (this.held) await this.held;
      this.authenticate(req.headers.authorization);
      const route = this.route(method, url.pathname);
      if (route.spreadsheetId !== this.spreadsheetId) throw new ApiError(404, 'NOT_FOUND', 'Requested entity was not found.');
      this.authorize(req.headers.authorization);
      this.chargeQuota(kind);
      const failure = this.takeFailure(kind);
      if (failure && !failure.afterApply) throw failureError(failure);
      const payload: unknown = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      if (kind === 'write') {
        record.valueInputOption = url.searchParams.get('valueInputOption') ?? (payload as { valueInputOption?: string }).valueInputOption;
        await this.beforeWrite?.(record);
      }
      body = this.apply(route, url.searchParams, payload);
      if (failure) throw failureError(failure);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(400, 'INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
      status = apiError.code;
      headers = apiError.headers;
      body = { error: { code: apiError.code, message: apiError.message, status: apiError.status } };
    }
    record.status = status;
    this.requests.push(record);
    this.onAnswer?.(record);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private authenticate(header: string | undefined): void {
    const unauthenticated = new ApiError(
      401,
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    );
    const match = /^Bearer (.+)$/.exec(header ?? '');
    const parts = match?.[1]?.split('.');
    if (!parts || parts.length !== 3) throw unauthenticated;
    const [head, payload, signature] = parts as [string, string, string];
    let claims: { iss?: string; sub?: string; scope?: string; aud?: string; exp?: number };
    let alg: string | undefined;
    try {
      alg = (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string }).alg;
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw unauthenticated;
    }
    const key = claims.iss === undefined ? undefined : this.keys.get(claims.iss);
    if (alg !== 'RS256' || !key || claims.sub !== claims.iss) throw unauthenticated;
    if (!verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), key, Buffer.from(signature, 'base64url'))) throw unauthenticated;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < this.now() - 60_000) throw unauthenticated;
    const scoped = (claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/spreadsheets');
    if (!scoped && !(claims.aud ?? '').includes('sheets.googleapis.com')) throw new ApiError(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.');
  }

  private authorize(header: string | undefined): void {
    const payload = (header ?? '').split('.')[1] ?? '';
    const email = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss: string }).iss;
    if (!this.sharedWith.has(email)) throw new ApiError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
  }

  private chargeQuota(kind: 'read' | 'write'): void {
    if (!this.quota) return;
    const now = this.now();
    const used = this.usage[kind].filter((at) => at > now - 60_000);
    this.usage[kind] = used;
    const limit = kind === 'read' ? this.quota.readsPerMinute : this.quota.writesPerMinute;
    if (used.length >= limit) {
      throw new ApiError(
        429,
        'RESOURCE_EXHAUSTED',
        `Quota exceeded for quota metric '${kind === 'read' ? 'Read' : 'Write'} requests' and limit '${kind === 'read' ? 'Read' : 'Write'} requests per minute per user' of service 'sheets.googleapis.com'.`,
      );
    }
    used.push(now);
  }

  private takeFailure(kind: 'read' | 'write'): Failure | undefined {
    const index = this.failures.findIndex((failure) => failure.only === undefined || failure.only === kind);
    if (index >= 0) return this.failures.splice(index, 1)[0];
    const random = this.randomFailure;
    if (random && random.random() < random.rate) {
      const status = random.statuses[Math.floor(random.random() * random.statuses.length)] ?? 500;
      return { status, afterApply: random.random() < (random.afterApplyRate ?? 0) };
    }
    return undefined;
  }

  private route(method: string, pathname: string): { spreadsheetId: string; op: string; range?: string } {
    const match = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(pathname);
    if (!match) throw new ApiError(404, 'NOT_FOUND', `No such method: ${method} ${pathname}`);
    const spreadsheetId = decodeURIComponent(match[1]!);
    const rest = match[2]!;
    if (rest === '' && method === 'GET') return { spreadsheetId, op: 'get' };
    if (rest === ':batchUpdate' && method === 'POST') return { spreadsheetId, op: 'batchUpdate' };
    if (rest === '/values:batchGet' && method === 'GET') return { spreadsheetId, op: 'values.batchGet' };
    if (rest === '/values:batchUpdate' && method === 'POST') return { spreadsheetId, op: 'values.batchUpdate' };
    const values = /^\/values\/([^/]+?)(:append)?$/.exec(rest);
    if (values) {
      const range = decodeURIComponent(values[1]!);
      if (values[2] && method === 'POST') return { spreadsheetId, op: 'values.append', range };
      if (!values[2] && method === 'GET') return { spreadsheetId, op: 'values.get', range };
      if (!values[2] && method === 'PUT') return { spreadsheetId, op: 'values.update', range };
    }
    throw new ApiError(404, 'NOT_FOUND', `No such method: ${method} ${pathname}`);
  }

  private apply(route: { op: string; range?: string }, query: URLSearchParams, payload: unknown): unknown {
    const body = payload as Record<string, unknown>;
    const render = query.get('valueRenderOption') ?? 'FORMATTED_VALUE';
    switch (route.op) {
      case 'get':
        return this.describe();
      case 'values.get':
        return { ...this.read(route.range!, render) };
      case 'values.batchGet':
        return { spreadsheetId: this.spreadsheetId, valueRanges: query.getAll('ranges').map((range) => this.read(range, render)) };
      case 'values.update':
        return { spreadsheetId: this.spreadsheetId, ...this.write(route.range!, (body.values ?? []) as (Cell | null)[][], query.get('valueInputOption')) };
      case 'values.batchUpdate': {
        const data = (body.data ?? []) as { range: string; values: (Cell | null)[][] }[];
        const option = body.valueInputOption as string | undefined;
        const ranges = data.map((d) => this.parse(d.range));
        const responses = data.map((d, i) => ({ spreadsheetId: this.spreadsheetId, ...this.writeAt(ranges[i]!, d.values ?? [], option) }));
        return { spreadsheetId: this.spreadsheetId, totalUpdatedRows: responses.reduce((s, r) => s + r.updatedRows, 0), responses };
      }
      case 'values.append':
        return this.append(route.range!, (body.values ?? []) as (Cell | null)[][], query.get('valueInputOption'), query.get('insertDataOption'));
      case 'batchUpdate':
        return { spreadsheetId: this.spreadsheetId, replies: ((body.requests ?? []) as Record<string, unknown>[]).map((r, i) => this.structural(r, i)) };
      default:
        throw new ApiError(404, 'NOT_FOUND', 'No such method');
    }
  }

  private describe(): unknown {
    return {
      spreadsheetId: this.spreadsheetId,
      properties: { title: 'Clinic', locale: 'en_GB', timeZone: 'Asia/Kolkata' },
      sheets: this.tabs.map((tab, index) => ({
        properties: {
          sheetId: tab.sheetId,
          title: tab.title,
          index,
          sheetType: 'GRID',
          gridProperties: {
            rowCount: Math.max(1000, tab.rows.length),
            columnCount: tab.columnCount,
            ...(tab.frozenRowCount ? { frozenRowCount: tab.frozenRowCount } : {}),
          },
        },
      })),
    };
  }

  private read(a1: string, render: string): { range: string; majorDimension: string; values?: unknown[][] } {
    const range = this.parse(a1);
    const rows: unknown[][] = [];
    const lastRow = Math.min(range.tab.rows.length, range.endRow ?? Infinity);
    for (let r = range.startRow; r < lastRow; r += 1) {
      const source = range.tab.rows[r] ?? [];
      const end = Math.min(source.length, range.endColumn ?? Infinity);
      const row: unknown[] = [];
      for (let c = range.startColumn; c < end; c += 1) {
        const cell = source[c] ?? '';
        row.push(render === 'FORMATTED_VALUE' ? formatted(cell) : cell);
      }
      while (row.length > 0 && row[row.length - 1] === '') row.pop();
      rows.push(row);
    }
    while (rows.length > 0 && rows[rows.length - 1]!.length === 0) rows.pop();
    const shown = `${a1Tab(range.tab.title)}!${a1Cell(range.startRow, range.startColumn)}:${a1Cell(Math.max(range.startRow, (range.endRow ?? Math.max(range.tab.rows.length, 1)) - 1), Math.max(range.startColumn, (range.endColumn ?? 26) - 1))}`;
    return { range: shown, majorDimension: 'ROWS', ...(rows.length > 0 ? { values: rows } : {}) };
  }

  private write(a1: string, values: (Cell | null)[][], option: string | null | undefined) {
    return this.writeAt(this.parse(a1), values, option ?? undefined);
  }

  private writeAt(range: GridRange, values: (Cell | null)[][], option: string | undefined) {
    if (option !== 'RAW' && option !== 'USER_ENTERED') throw new ApiError(400, 'INVALID_ARGUMENT', "Invalid valueInputOption: must be 'RAW' or 'USER_ENTERED'");
    const width = Math.max(0, ...values.map((r) => r.length));
    if (range.startColumn + width > range.tab.columnCount) {
      throw new ApiError(400, 'INVALID_ARGUMENT', `Range (${a1Tab(range.tab.title)}!${a1Cell(range.startRow, range.startColumn)}) exceeds grid limits. Max rows: 1000, max columns: ${range.tab.columnCount}`);
    }
    let cells = 0;
    values.forEach((row, r) =>
      row.forEach((value, c) => {
        if (value === null || value === undefined) return;
        const rowIndex = range.startRow + r;
        const column = range.startColumn + c;
        if (option === 'USER_ENTERED' && typeof value === 'string' && value.startsWith('=')) range.tab.formulas.add(`${rowIndex}:${column}`);
        else range.tab.formulas.delete(`${rowIndex}:${column}`);
        writeCell(range.tab, rowIndex, column, option === 'USER_ENTERED' ? userEntered(value) : value);
        cells += 1;
      }),
    );
    return {
      updatedRange: `${a1Tab(range.tab.title)}!${a1Cell(range.startRow, range.startColumn)}:${a1Cell(range.startRow + Math.max(values.length, 1) - 1, range.startColumn + Math.max(width, 1) - 1)}`,
      updatedRows: values.length,
      updatedColumns: width,
      updatedCells: cells,
    };
  }

  /**
   * Google's table detection: a range naming only a tab appends after the last table (the last row
   * with content); a range with cells appends after the table found at its first row, the rows with
   * content from there down to the first empty one. With INSERT_ROWS the rows below move down.
   */
  private append(a1: string, values: (Cell | null)[][], option: string | null, insertDataOption: string | null) {
    const range = this.parse(a1);
    const rows = range.tab.rows;
    const empty = (row: number) => (rows[row] ?? []).every((cell) => cell === '');
    let last: number;
    if (!a1.includes('!')) {
      last = rows.length - 1;
      while (last >= 0 && empty(last)) last -= 1;
    } else {
      let first = range.startRow;
      while (first < rows.length && empty(first)) first += 1;
      last = first;
      while (last < rows.length && !empty(last)) last += 1;
      last -= 1;
    }
    const at = Math.max(last + 1, range.startRow);
    if (insertDataOption === 'INSERT_ROWS' && at < rows.length) this.insertRows(range.tab, at, values.length);
    const target: GridRange = { tab: range.tab, startRow: at, startColumn: range.startColumn };
    const updates = this.writeAt(target, values, option ?? undefined);
    return {
      spreadsheetId: this.spreadsheetId,
      tableRange: `${a1Tab(range.tab.title)}!A1:${a1Cell(Math.max(last, 0), 25)}`,
      updates: { spreadsheetId: this.spreadsheetId, ...updates },
    };
  }

  /** Empty rows at `at`, moving the rows below (and their formulas) down. */
  private insertRows(tab: Tab, at: number, count: number): void {
    tab.rows.splice(at, 0, ...Array.from({ length: count }, () => [] as Cell[]));
    tab.formulas = new Set(
      [...tab.formulas].map((key) => {
        const [row, column] = key.split(':').map(Number) as [number, number];
        return row >= at ? `${row + count}:${column}` : key;
      }),
    );
  }

  private structural(request: Record<string, unknown>, index: number): unknown {
    if (request.addSheet) {
      const properties = ((request.addSheet as { properties?: { title?: string; gridProperties?: { frozenRowCount?: number } } }).properties ?? {});
      const title = properties.title ?? `Sheet${this.nextSheetId}`;
      if (this.findTab(title)) throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}].addSheet: A sheet with the name "${title}" already exists. Please enter another name.`);
      this.addTab(title);
      const tab = this.tab(title);
      tab.frozenRowCount = properties.gridProperties?.frozenRowCount ?? 0;
      return { addSheet: { properties: { sheetId: tab.sheetId, title, index: this.tabs.length - 1, sheetType: 'GRID', gridProperties: { rowCount: 1000, columnCount: 26, frozenRowCount: tab.frozenRowCount } } } };
    }
    if (request.updateSheetProperties) {
      const update = request.updateSheetProperties as { properties?: { sheetId?: number; gridProperties?: { frozenRowCount?: number } }; fields?: string };
      const tab = this.tabs.find((t) => t.sheetId === (update.properties?.sheetId ?? 0));
      if (!tab) throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}].updateSheetProperties: No grid with id: ${update.properties?.sheetId}`);
      if (!update.fields) throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}].updateSheetProperties: fields is required`);
      if ((update.fields ?? '').includes('gridProperties.frozenRowCount')) tab.frozenRowCount = update.properties?.gridProperties?.frozenRowCount ?? 0;
      return {};
    }
    if (request.appendDimension) {
      const append = request.appendDimension as { sheetId?: number; dimension?: string; length?: number };
      const tab = this.tabs.find((t) => t.sheetId === (append.sheetId ?? 0));
      if (!tab) throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}].appendDimension: No grid with id: ${append.sheetId}`);
      if (append.dimension === 'COLUMNS') tab.columnCount += append.length ?? 0;
      return {};
    }
    if (request.setDataValidation) {
      const set = request.setDataValidation as {
        range?: { sheetId?: number; startRowIndex?: number; endRowIndex?: number; startColumnIndex?: number; endColumnIndex?: number };
        rule?: { condition?: { type?: string; values?: { userEnteredValue?: string }[] } };
      };
      const tab = this.tabs.find((t) => t.sheetId === (set.range?.sheetId ?? 0));
      if (!tab) throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}].setDataValidation: No grid with id: ${set.range?.sheetId}`);
      if (set.rule?.condition?.type !== 'ONE_OF_LIST') throw new ApiError(400, 'INVALID_ARGUMENT', 'emulator supports ONE_OF_LIST only');
      const startRow = set.range?.startRowIndex ?? 0;
      const startColumn = set.range?.startColumnIndex ?? 0;
      const endColumn = set.range?.endColumnIndex ?? startColumn + 1;
      if (endColumn > tab.columnCount) throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}].setDataValidation: Range exceeds grid limits. Max columns: ${tab.columnCount}`);
      tab.validations = tab.validations.filter((v) => !(v.startColumn === startColumn && v.startRow === startRow));
      tab.validations.push({ startRow, ...(set.range?.endRowIndex !== undefined ? { endRow: set.range.endRowIndex } : {}), startColumn, endColumn, values: (set.rule.condition.values ?? []).map((v) => v.userEnteredValue ?? '') });
      return {};
    }
    throw new ApiError(400, 'INVALID_ARGUMENT', `Invalid requests[${index}]: this emulator does not support ${Object.keys(request).join(', ')}`);
  }

  private parse(a1: string): GridRange {
    let title: string | undefined;
    let cells = a1;
    if (a1.startsWith("'")) {
      let i = 1;
      let name = '';
      for (; i < a1.length; i += 1) {
        if (a1[i] === "'") {
          if (a1[i + 1] === "'") {
            name += "'";
            i += 1;
            continue;
          }
          break;
        }
        name += a1[i];
      }
      title = name;
      cells = a1.slice(i + 1).replace(/^!/, '');
    } else if (a1.includes('!')) {
      title = a1.slice(0, a1.indexOf('!'));
      cells = a1.slice(a1.indexOf('!') + 1);
    } else if (this.findTab(a1)) {
      title = a1;
      cells = '';
    }
    const tab = title === undefined ? this.tabs[0] : this.findTab(title);
    if (!tab) throw new ApiError(400, 'INVALID_ARGUMENT', `Unable to parse range: ${a1}`);
    if (cells === '') return { tab, startRow: 0, startColumn: 0 };
    const [from, to] = cells.split(':') as [string, string | undefined];
    const start = parseCell(from);
    const end = to === undefined ? start : parseCell(to);
    if (!start || !end) throw new ApiError(400, 'INVALID_ARGUMENT', `Unable to parse range: ${a1}`);
    return {
      tab,
      startRow: start.row ?? 0,
      ...(end.row !== undefined ? { endRow: end.row + 1 } : {}),
      startColumn: start.column ?? 0,
      ...(end.column !== undefined ? { endColumn: end.column + 1 } : {}),
    };
  }

  private findTab(title: string): Tab | undefined {
    return this.tabs.find((t) => t.title === title);
  }

  private tab(title: string): Tab {
    const tab = this.findTab(title);
    if (!tab) throw new Error(`no tab ${title}`);
    return tab;
  }
}

function failureError(failure: Failure): ApiError {
  const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
  if (failure.status === 429) return new ApiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded (injected).', headers);
  return new ApiError(failure.status, failure.status === 503 ? 'UNAVAILABLE' : 'INTERNAL', 'Internal error encountered (injected).', headers);
}

/** A new grid's width: 26 columns (A–Z), or wider for the rows it starts with. */
function widest(rows: Cell[][]): number {
  return Math.max(26, ...rows.map((row) => row.length));
}

function writeCell(tab: Tab, row: number, column: number, value: Cell): void {
  while (tab.rows.length <= row) tab.rows.push([]);
  const cells = tab.rows[row]!;
  while (cells.length <= column) cells.push('');
  cells[column] = value;
}

function userEntered(value: Cell): Cell {
  if (typeof value !== 'string') return value;
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (/^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

function formatted(cell: Cell): string {
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String(cell);
}

function parseCell(text: string): { row?: number; column?: number } | undefined {
  const match = /^([A-Za-z]*)(\d*)$/.exec(text.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let column: number | undefined;
  if (match[1]) {
    column = 0;
    for (const ch of match[1].toUpperCase()) column = column * 26 + (ch.charCodeAt(0) - 64);
    column -= 1;
  }
  return { ...(column !== undefined ? { column } : {}), ...(match[2] ? { row: Number(match[2]) - 1 } : {}) };
}

function a1Cell(row: number, column: number): string {
  let letters = '';
  for (let n = column + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${letters}${row + 1}`;
}

function a1Tab(title: string): string {
  return /^[A-Za-z0-9_]+$/.test(title) ? title : `'${title.replaceAll("'", "''")}'`;
}
