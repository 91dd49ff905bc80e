/**
 * A patient on the web chat as the benchmark plays one: messages sent the way the page sends them
 * (public/chat.js: one Idempotency-Key per message, resent after 1, 2.5, 5 and 10 s with jitter on a
 * dropped connection, 5xx, 408 or 429), and a whole booking by typed answers and a random free time.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { since } from './common.js';

export interface ApiMessage {
  kind: string;
  text: string;
  options?: { id: string; label: string }[];
}

const PAGE_RETRY_DELAYS_MS = [1000, 2500, 5000, 10000];

/** 0 -> "A", 27 -> "BB": names may hold letters only. */
export function lettersOf(n: number): string {
  let name = '';
  for (let rest = n; ; rest = Math.floor(rest / 26) - 1) {
    name = String.fromCharCode(65 + (rest % 26)) + name;
    if (rest < 26) return name;
  }
}

/** Talks to one service; collects the latency of every message (resends included) and counts resends. */
export class PageLikeClient {
  /** Every message's latency, the first of each conversation included. */
  readonly latencies: number[] = [];
  /**
   * The first message of each conversation. In a burst of new patients it also waits for its
   * connection to be taken: Node serves requests on connections already open before it accepts new
   * ones, so newcomers queue for capacity while conversations under way keep moving.
   */
  readonly openingLatencies: number[] = [];
  /** The messages after the first: what a patient in a conversation waits for. */
  readonly followingLatencies: number[] = [];
  resends = 0;

  constructor(private readonly base: string) {}

  async post(session: string, body: object, opening = false): Promise<ApiMessage[]> {
    const t0 = performance.now();
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${this.base}/api/chat/${session}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        });
        const json = (await response.json()) as { messages?: ApiMessage[] };
        if (response.ok && json.messages) {
          const latency = since(t0);
          this.latencies.push(latency);
          (opening ? this.openingLatencies : this.followingLatencies).push(latency);
          return json.messages;
        }
        if (!(response.status >= 500 || response.status === 408 || response.status === 429) || attempt >= PAGE_RETRY_DELAYS_MS.length) {
          throw new Error(`HTTP ${response.status}`);
        }
      } catch (error) {
        // A connection refused or reset: resent, as the page does.
        if (!(error instanceof TypeError) || attempt >= PAGE_RETRY_DELAYS_MS.length) throw error;
      }
      this.resends += 1;
      await new Promise((resolve) => setTimeout(resolve, PAGE_RETRY_DELAYS_MS[attempt]! * (0.8 + Math.random() * 0.4)));
    }
  }

  /**
   * Books patient `i` with doctor `(i % doctors) + 1` at a random offered time, paying at the clinic;
   * a time taken meanwhile brings the menu back and another is picked. Resolves true once confirmed.
   */
  async book(session: string, i: number, doctors: number, name = `Patient ${lettersOf(i)}`): Promise<boolean> {
    const answers = ['hi', 'Book an appointment', name, `98765 ${String(10000 + i).slice(-5)}`, '34', 'Female', 'fever'];
    for (const [step, text] of answers.entries()) await this.post(session, { text }, step === 0);
    let menu = (await this.post(session, { text: String((i % doctors) + 1) })).find((m) => m.kind === 'menu');
    for (let attempt = 0; attempt < 10 && menu; attempt++) {
      const times = (menu.options ?? []).filter((o) => /\d{1,2}:\d{2}/.test(o.label));
      const pick = times[Math.floor(Math.random() * times.length)];
      if (!pick) return false;
      const replies = await this.post(session, { choice: pick.id });
      if (replies.some((m) => /how would you like to pay/i.test(m.text))) {
        const confirmation = await this.post(session, { text: 'Pay at the clinic' });
        return confirmation.some((m) => /Appointment confirmed/.test(m.text));
      }
      menu = replies.find((m) => m.kind === 'menu');
    }
    return false;
  }
}
