/**
 * /report <appointment id>: the medical reports a patient sent, as documents in the admin chat. They
 * are read from private storage; nothing is ever made public.
 */
import type { ReportRef } from '../../domain.js';
import type { Outbound } from '../../messages.js';
import { words } from '../commandLine.js';
import { AdminUsageError } from '../errors.js';
import { reply } from '../format.js';
import { requireAppointment } from '../lookups.js';
import type { AdminCommand } from './types.js';

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

function extensionOf(report: ReportRef): string {
  return EXTENSIONS[report.mime] ?? /\.([A-Za-z0-9]{1,5})$/.exec(report.path)?.[1] ?? 'bin';
}

export const reportCommand: AdminCommand = {
  name: 'report',
  usage: '<appointment id>',
  description: 'Send the medical reports a patient uploaded for an appointment',
  async run(context) {
    const parts = words(context.args);
    if (parts.length > 1) throw new AdminUsageError('Give one appointment id and nothing else.');
    const { store, reports, logger } = context.deps;
    const appointment = await requireAppointment(store, parts[0]);
    if (appointment.reports.length === 0) {
      return { replies: reply(`${appointment.id} (${appointment.patient.name}) has no reports.`), summary: `${appointment.id}: none` };
    }
    const documents: Outbound[] = [];
    const missing: number[] = [];
    for (const [index, report] of appointment.reports.entries()) {
      try {
        const bytes = await reports.read(report);
        documents.push({
          kind: 'document',
          fileName: `${appointment.id}-report-${index + 1}.${extensionOf(report)}`,
          mime: report.mime,
          bytes,
          caption: `${appointment.id} · ${appointment.patient.name} · report ${index + 1} of ${appointment.reports.length} (received ${report.receivedAt.slice(0, 10)})`,
        });
      } catch (error) {
        logger?.error({ err: error, appointmentId: appointment.id, reportId: report.id }, 'stored report could not be read');
        missing.push(index + 1);
      }
    }
    const header = `${appointment.id} (${appointment.patient.name}): ${documents.length} report${documents.length === 1 ? '' : 's'}.`;
    const problem = missing.length > 0 ? ` Report ${missing.join(', ')} could not be read from storage.` : '';
    return {
      replies: [...reply(header + problem), ...documents],
      summary: `${appointment.id}: ${documents.length} sent${missing.length > 0 ? `, ${missing.length} unreadable` : ''}`,
    };
  },
};
