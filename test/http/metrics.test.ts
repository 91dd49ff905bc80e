import { describe, expect, it } from 'vitest';
import { bookAndAskToUpload, newSessionId, startAppsClosedAfterEach } from './helpers.js';

const startApp = startAppsClosedAfterEach();

/** The value of one sample line, e.g. `clinic_appointments{status="CONFIRMED"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('reports messages, turn latency, bookings and the outbox in the Prometheus format', async () => {
    const t = await startApp();
    await bookAndAskToUpload(t.base, newSessionId());
    const response = await fetch(`${t.base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'clinic_messages_total{channel="web",outcome="handled"}')).toBe(11);
    expect(sample(text, 'clinic_turn_duration_seconds_count{channel="web"}')).toBe(11);
    expect(sample(text, 'clinic_appointments{status="CONFIRMED"}')).toBe(1);
    expect(sample(text, 'clinic_outbox_pending{channel="telegram"}')).toBe(0);
    expect(sample(text, 'clinic_reminders_sent_total')).toBe(0);
    expect(text).toContain('# TYPE clinic_turn_duration_seconds histogram');
    expect(text).toContain('clinic_process_resident_memory_bytes');
  });

  it('asks for the token when METRICS_TOKEN is set', async () => {
    const t = await startApp({ METRICS_TOKEN: 'scrape-secret-123' });
    expect((await fetch(`${t.base}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.base}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${t.base}/metrics`, { headers: { Authorization: 'Bearer scrape-secret-123' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('clinic_messages_total');
  });
});
