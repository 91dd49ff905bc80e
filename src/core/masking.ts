/**
 * Masks for patient data shown where it must not be read in full: logs, admin audit lines, alerts.
 */

/**
 * "+919876543210" -> "+91******3210". Keeps enough to tell two numbers apart, not enough to call the
 * patient.
 */
export function maskPhone(phone: string): string {
  if (phone.includes('*')) return phone; // already masked
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return '*'.repeat(digits.length);
  const prefix = phone.trim().startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 2);
  return `${prefix}${'*'.repeat(digits.length - 6)}${digits.slice(-4)}`;
}

/**
 * Chat addresses can be phone numbers (WhatsApp "9198…@c.us") or bearer secrets (web chat session ids):
 * keep only the first four characters.
 */
export function maskChatId(chatId: string): string {
  return chatId.length <= 4 ? '****' : `${chatId.slice(0, 4)}…`;
}
