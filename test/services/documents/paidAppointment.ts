/**
 * The appointment the document tests render: confirmed and paid online, with Dr. Meera Iyer on
 * Saturday 21 Nov 2026 at 11:00 for ₹500.
 */
import type { Appointment } from '../../../src/core/domain.js';

export function paidAppointment(id: string, name: string): Appointment {
  return {
    id,
    createdAt: '2026-11-20T05:00:00.000Z',
    updatedAt: '2026-11-20T05:00:00.000Z',
    status: 'CONFIRMED',
    conversation: { channel: 'web', chatId: `chat-${id}` },
    patient: { name, phone: '+919876543210', age: 34, gender: 'FEMALE' },
    purpose: 'Fever',
    doctorId: 'GP',
    doctorName: 'Dr. Meera Iyer',
    slotId: 'slot-1',
    date: '2026-11-21',
    time: '11:00',
    fee: 500,
    paymentMode: 'ONLINE',
    paymentStatus: 'PAID',
    paymentLink: null,
    paymentId: `pay_${id}`,
    invoiceNo: null,
    reports: [],
    holdExpiresAt: null,
    remindersSent: [],
    notes: '',
  };
}
