/**
 * The core's Outbound -> what is sent on WhatsApp. WhatsApp Web has no buttons a bot can rely on, so
 * menus are numbered lists the patient answers with a number (the core also accepts the label), and
 * links are plain text WhatsApp turns into tappable links.
 */
import type { MenuOption, Outbound } from '../../core/messages.js';

/** One WhatsApp message: text, or a file with a caption. */
export type WhatsAppOutgoing =
  | { kind: 'text'; text: string }
  | { kind: 'document'; mime: string; base64: string; fileName: string; caption: string };

/** "1. …\n2. …\n\nReply 1-2, or 0 to go back". */
export function renderMenu(text: string, options: readonly MenuOption[]): string {
  const lines = options.map((option, index) => `${index + 1}. ${option.label}`);
  const range = options.length === 1 ? '1' : `1-${options.length}`;
  return `${text}\n\n${lines.join('\n')}\n\nReply ${range}, or 0 to go back.`;
}

export function renderOutbound(message: Outbound): WhatsAppOutgoing {
  switch (message.kind) {
    case 'text':
    case 'ask-contact':
      // WhatsApp already knows a person's number, and a bot cannot show a share-contact button.
      return { kind: 'text', text: message.text };
    case 'menu':
      return message.options.length === 0 ? { kind: 'text', text: message.text } : { kind: 'text', text: renderMenu(message.text, message.options) };
    case 'link':
      return { kind: 'text', text: `${message.text}\n\n${message.label}: ${message.url}` };
    case 'document':
      return {
        kind: 'document',
        mime: message.mime,
        base64: Buffer.from(message.bytes).toString('base64'),
        fileName: message.fileName,
        caption: message.caption,
      };
  }
}
