import { expect } from 'vitest';
import { idCounts, openSheetsFixture } from '../sheets/harness.js';
import { describeClinicStoreContract } from './clinicStoreContract.js';

describeClinicStoreContract('Google Sheets (ledger in SQLite, loopback Sheets API)', async () => {
  const fixture = await openSheetsFixture();
  const { store } = fixture;
  return {
    store,
    withIds: (next) => fixture.openStore({ newAppointmentId: next }),
    secondConnection: () => fixture.openStore(),
    dispose: async () => {
      const open = await store.ping().then(() => true, () => false);
      if (open) {
        // Whatever the test did, the sheet ends up holding every shown appointment exactly once.
        await store.flush();
        const counts = idCounts(fixture.emulator);
        const ledger = await store.listAppointments({});
        const shown = ledger.filter((appointment) => appointment.status !== 'EXPIRED' || counts.has(appointment.id));
        expect([...counts.values()].every((count) => count === 1)).toBe(true);
        expect([...counts.keys()].sort()).toEqual(shown.map((a) => a.id).sort());
        const statuses = new Map(fixture.emulator.records('Appointments').map((r) => [String(r['Appointment ID']), String(r.Status)]));
        for (const appointment of shown) expect(statuses.get(appointment.id)).toBe(appointment.status);
      }
      await fixture.dispose();
    },
  };
});
