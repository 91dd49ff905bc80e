import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SORRY_TEXT } from '../../../src/core/engine.js';
import { LocalReportStorage } from '../../../src/services/files/reportStorage.js';
import { createHarness, textOf, type Harness } from '../../support/engineHarness.js';
import { SMALL_PDF } from '../../support/files.js';
import { seedClinic, stateOf, walkTo } from '../../support/clinicFixture.js';

let h: Harness;
afterEach(async () => h.close());

async function bookedPatient(options: Parameters<typeof createHarness>[0] = {}) {
  h = createHarness(options);
  await seedClinic(h);
  const p = h.patient('reporter');
  await walkTo(p, 'AWAITING_REPORT_UPLOAD');
  const [appointment] = await h.store.listAppointments({ conversation: p.ref });
  return { p, appointmentId: appointment!.id };
}

describe('report upload', () => {
  it('stores a PDF privately and records it on the appointment', async () => {
    const { p, appointmentId } = await bookedPatient();
    const replies = await p.sendFile(SMALL_PDF, 'blood test.pdf', 'application/pdf');
    expect(textOf(replies)).toContain(`attached to your appointment ${appointmentId}`);
    const appointment = await h.store.getAppointment(appointmentId);
    expect(appointment?.reports).toHaveLength(1);
    const file = path.join(h.dir, 'reports', appointment!.reports[0]!.path);
    expect(readFileSync(file)).toEqual(Buffer.from(SMALL_PDF));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await stateOf(h, p)).toBe('AWAITING_REPORT_UPLOAD');
    expect(textOf(await p.tap('Done'))).toContain('The doctor will see your reports');
    expect(await stateOf(h, p)).toBe('IDLE');
  });

  it('judges the type by content, not by name', async () => {
    const { p, appointmentId } = await bookedPatient();
    const fake = new TextEncoder().encode('MZ this is really a program');
    const replies = await p.sendFile(fake, 'report.pdf', 'application/pdf');
    expect(textOf(replies)).toContain('must be a PDF, JPG or PNG');
    expect((await h.store.getAppointment(appointmentId))?.reports).toEqual([]);
    expect(existsSync(path.join(h.dir, 'reports', appointmentId))).toBe(false);
  });

  it('refuses a file over the limit before downloading it', async () => {
    const { p } = await bookedPatient();
    let downloaded = false;
    const replies = await p.send({
      kind: 'file',
      mime: 'application/pdf',
      fileName: 'scan.pdf',
      size: h.settings.maxUploadBytes + 1,
      load: async () => {
        downloaded = true;
        return SMALL_PDF;
      },
    });
    expect(textOf(replies)).toContain('too large');
    expect(downloaded).toBe(false);
  });

  it('takes a file sent straight away at the report question', async () => {
    h = createHarness();
    await seedClinic(h);
    const p = h.patient('eager');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    const replies = await p.sendFile(SMALL_PDF, 'x.pdf');
    expect(textOf(replies)).toContain('the report is attached');
    expect(await stateOf(h, p)).toBe('AWAITING_REPORT_UPLOAD');
  });

  it('stops at the per-appointment limit', async () => {
    const { p } = await bookedPatient();
    for (let i = 0; i < h.settings.maxReportsPerAppointment; i++) await p.sendFile(SMALL_PDF, `r${i}.pdf`);
    expect(textOf(await p.sendFile(SMALL_PDF, 'one-more.pdf'))).toContain('the most we can take');
  });

  it('adds a report later from the main menu', async () => {
    const { p, appointmentId } = await bookedPatient();
    await p.say('menu');
    await p.tap('Upload a report');
    expect(await stateOf(h, p)).toBe('AWAITING_REPORT_UPLOAD');
    await p.sendFile(SMALL_PDF, 'later.pdf');
    expect((await h.store.getAppointment(appointmentId))?.reports).toHaveLength(1);
  });

  it('when storage fails, says sorry and leaves nothing half-written', async () => {
    // A report directory that cannot be created: its parent is a plain file.
    const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'clinic-blocker-')), 'not-a-directory');
    writeFileSync(blocker, '');
    const { p, appointmentId } = await bookedPatient({ reports: new LocalReportStorage(path.join(blocker, 'reports')) });
    const replies = await p.sendFile(SMALL_PDF, 'x.pdf');
    expect(textOf(replies)).toBe(SORRY_TEXT);
    expect((await h.store.getAppointment(appointmentId))?.reports).toEqual([]);
    expect(await stateOf(h, p)).toBe('AWAITING_REPORT_UPLOAD');
    expect(readdirSync(h.dir)).not.toContain('reports');
  });
});
