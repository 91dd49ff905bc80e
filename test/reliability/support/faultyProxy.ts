/**
 * A loopback HTTP proxy that puts a flaky network and a flaky provider in front of an emulator: each
 * request is delayed, and some fail — either before they reach the emulator (nothing happened) or
 * after it answered (it happened, but the caller never learns so). What happens to each request is
 * decided by the test (see {@link seededFaults}), so a run can be repeated exactly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './serviceProcess.js';

/** A request as the proxy saw it. */
export interface ProxiedRequest {
  method: string;
  /** Path and query. */
  url: string;
  body: string;
}

/** How the proxy answers instead of the emulator. */
export interface FaultAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What happens to one request. */
export interface FaultDecision {
  latencyMs: number;
  /** 'before': the emulator never sees it; 'after': it does, but its answer is replaced. */
  fault?: { when: 'before' | 'after'; answer: FaultAnswer | 'reset' };
}

export interface ProxyRecord extends ProxiedRequest {
  decision: FaultDecision;
  /** What the emulator answered, when it was reached. */
  upstreamStatus?: number;
  upstreamBody?: string;
  /** What the caller got: a status, or 'reset' (connection cut). */
  answered: number | 'reset';
}

export class FaultyProxy {
  readonly records: ProxyRecord[] = [];
  url = '';
  private server: Server | undefined;
  /** While set, requests wait here (the provider hangs) until {@link release}. */
  private gate: { opened: Promise<void>; open: () => void } | undefined;
  private waitingNow = 0;
  private readonly onWaiting = new Set<() => void>();

  constructor(
    private readonly target: string,
    private readonly decide: (request: ProxiedRequest) => FaultDecision,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.release();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** From now on, requests hang (after their latency) until {@link release}: the provider stops answering. */
  hold(): void {
    if (this.gate) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gate = { opened, open };
  }

  /** Lets the hanging requests and all later ones through. */
  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  /** Resolves once a request is hanging (see {@link hold}). */
  untilWaiting(): Promise<void> {
    if (this.waitingNow > 0) return Promise.resolve();
    return new Promise((resolve) => this.onWaiting.add(resolve));
  }

  /** Requests hanging at the moment. */
  get waiting(): number {
    return this.waitingNow;
  }

  /** Requests that failed on purpose, optionally only those matching. */
  faulted(filter: (record: ProxyRecord) => boolean = () => true): ProxyRecord[] {
    return this.records.filter((r) => r.decision.fault !== undefined && filter(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') };
    const decision = this.decide(request);
    const record: ProxyRecord = { ...request, decision, answered: 0 };
    this.records.push(record);
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    while (this.gate) {
      this.waitingNow += 1;
      for (const resolve of this.onWaiting) resolve();
      this.onWaiting.clear();
      await this.gate.opened.finally(() => (this.waitingNow -= 1));
    }
    const fault = decision.fault;
    if (fault?.when !== 'before') {
      const upstream = await fetch(new URL(request.url, this.target), {
        method: request.method,
        headers: forwardedHeaders(req),
        ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
      });
      record.upstreamStatus = upstream.status;
      record.upstreamBody = await upstream.text();
      if (!fault) {
        record.answered = upstream.status;
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(record.upstreamBody);
        return;
      }
    }
    if (fault.answer === 'reset') {
      record.answered = 'reset';
      res.socket?.destroy();
      return;
    }
    record.answered = fault.answer.status;
    res.writeHead(fault.answer.status, { 'content-type': 'application/json', ...fault.answer.headers });
    res.end(JSON.stringify(fault.answer.body));
  }
}

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** A number in [0, 1) from a seed and a string, the same every run. */
export function seededFraction(seed: number, key: string): number {
  // FNV-1a of the key, mixed with the seed, through mulberry32.
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return seededRandom(hash >>> 0)();
}

/**
 * Faults decided by a request's identity: `identify` names it (e.g. "create:Patient Ab"), and the
 * n-th request of the same identity always gets the same fate, however the requests interleave.
 */
export function seededFaults(options: {
  seed: number;
  /** Share of requests that fail. */
  rate: number;
  /** Of those, the share that reaches the emulator first. */
  afterShare: number;
  latencyMs: { min: number; max: number };
  identify: (request: ProxiedRequest) => string;
  /** The failure answers to pick from ('reset' cuts the connection). */
  answers: (FaultAnswer | 'reset')[];
}): (request: ProxiedRequest) => FaultDecision {
  const attempts = new Map<string, number>();
  return (request) => {
    const identity = options.identify(request);
    const attempt = (attempts.get(identity) ?? 0) + 1;
    attempts.set(identity, attempt);
    const key = `${identity}#${attempt}`;
    const { min, max } = options.latencyMs;
    const latencyMs = Math.round(min + seededFraction(options.seed, `latency:${key}`) * (max - min));
    if (seededFraction(options.seed, `fault:${key}`) >= options.rate) return { latencyMs };
    const when = seededFraction(options.seed, `when:${key}`) < options.afterShare ? 'after' : 'before';
    const answer = options.answers[Math.floor(seededFraction(options.seed, `answer:${key}`) * options.answers.length)]!;
    return { latencyMs, fault: { when, answer } };
  };
}
