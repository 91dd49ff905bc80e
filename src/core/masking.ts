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

/** A WhatsApp person chat: "919876543210@c.us" (the number) or "201234567890123@lid" (a hidden one). */
const WHATSAPP_PERSON = /^(\d{8,20})(@(?:c\.us|lid))$/;

/**
 * Chat addresses can be phone numbers (WhatsApp "919876543210@c.us") or bearer secrets (web chat
 * session ids). A WhatsApp person chat is masked like a phone ("91******3210@c.us"), so staff can tell
 * patients apart; anything else keeps only its first four characters.
 */
export function maskChatId(chatId: string): string {
  const whatsApp = WHATSAPP_PERSON.exec(chatId);
  if (whatsApp) return `${maskPhone(whatsApp[1]!)}${whatsApp[2]}`;
  return chatId.length <= 4 ? '****' : `${chatId.slice(0, 4)}…`;
}
