/**
 * Patient data stays out of the logs: phone numbers and chat addresses are masked, message bodies
 * are dropped. The real pino logger writes JSON lines into a stream the test reads.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskChatId, maskPhone, wantsPrettyLogs } from '../src/logging.js';

/** A logger whose output lines the test can read, parsed. */
function capture(level: 'info' | 'debug' = 'info'): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger(level, stream);
  const raw = () => chunks.join('');
  return {
    logger,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('maskPhone', () => {
  it('keeps the country code and the last four digits of an E.164 number', () => {
    const masked = maskPhone('+919876543210');
    expect(masked).toBe('+91******3210');
    expect(masked).not.toContain('987654');
    expect(masked).not.toMatch(/98765/);
    expect(masked.endsWith('3210')).toBe(true);
  });

  it('masks a number written with spaces and without a plus', () => {
    const masked = maskPhone('98765 43210');
    expect(masked.endsWith('3210')).toBe(true);
    expect(masked).not.toContain('765');
    expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(6);
  });

  it('hides very short numbers entirely', () => {
    expect(maskPhone('12345')).toBe('*****');
    expect(maskPhone('')).toBe('');
  });
});

describe('maskChatId', () => {
  it('keeps only the first four characters', () => {
    expect(maskChatId('Ab-_0123456789abcdefXY')).toBe('Ab-_…');
    expect(maskChatId('abc')).toBe('****');
  });

  it('masks a WhatsApp chat like a phone number, so two patients can be told apart', () => {
    expect(maskChatId('919876543210@c.us')).toBe('91******3210@c.us');
    expect(maskChatId('919812345678@c.us')).toBe('91******5678@c.us');
    expect(maskChatId('201234567890123@lid')).toBe('20*********0123@lid');
    // Groups and anything else keep only their first characters.
    expect(maskChatId('120363025246125486@g.us')).toBe('1203…');
  });
});

describe('createLogger', () => {
  it('masks phone numbers at the top level and nested under patient', () => {
    const { logger, lines, raw } = capture();
    logger.info({ phone: '+919876543210', patient: { phone: '+919812345678', name: 'Asha' } }, 'booked');
    const [line] = lines();
    expect(line).toMatchObject({ msg: 'booked', phone: '+91******3210', patient: { phone: '+91******5678' } });
    expect(raw()).not.toContain('9876543210');
    expect(raw()).not.toContain('9812345678');
  });

  it('masks phones one level down under any key', () => {
    const { logger, lines, raw } = capture();
    logger.info({ appointment: { phone: '+919876543210' }, hold: { patient: { phone: '+919812345678' } } }, 'x');
    const [line] = lines();
    expect(line).toMatchObject({ appointment: { phone: '+91******3210' }, hold: { patient: { phone: '+91******5678' } } });
    expect(raw()).not.toMatch(/98765|98123/);
  });

  it('masks chat ids and web session ids', () => {
    const { logger, lines, raw } = capture();
    const sessionId = 'Ab-_0123456789abcdefXY';
    logger.info({ chatId: '919876543210@c.us', sessionId, ref: { chatId: sessionId } }, 'message handled');
    const [line] = lines();
    expect(line).toMatchObject({ chatId: '91******3210@c.us', sessionId: 'Ab-_…', ref: { chatId: 'Ab-_…' } });
    expect(raw()).not.toContain('9876543210');
    expect(raw()).not.toContain(sessionId);
  });

  it('drops message bodies and tokens', () => {
    const { logger, lines, raw } = capture();
    logger.info({ text: 'I have a rash on my arm', content: { text: 'my HIV test result' }, token: 'secret-token-1' }, 'received');
    const [line] = lines();
    expect(line?.msg).toBe('received');
    expect(line?.text).not.toBe('I have a rash on my arm');
    expect(raw()).not.toContain('rash');
    expect(raw()).not.toContain('HIV');
    expect(raw()).not.toContain('secret-token-1');
  });

  it('keeps everything else as it was and respects the level', () => {
    const { logger, lines } = capture('info');
    logger.debug({ state: 'IDLE' }, 'hidden');
    logger.info({ state: 'AWAITING_NAME', replies: 2, port: 3000 }, 'shown');
    const all = lines();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ msg: 'shown', state: 'AWAITING_NAME', replies: 2, port: 3000, level: 30 });
    expect(all[0]).not.toHaveProperty('pid');
    expect(all[0]).not.toHaveProperty('hostname');
  });

  it('does not change the object that was logged', () => {
    const { logger } = capture();
    const entry = { phone: '+919876543210', text: 'hello' };
    logger.info(entry, 'x');
    expect(entry).toEqual({ phone: '+919876543210', text: 'hello' });
  });
});

describe('readable logs', () => {
  it('writes readable lines when asked, with the same masking as JSON', () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger('info', stream, 'pretty');
    logger.info({ phone: '+919876543210', chatId: 'abcdefghijklmnopqrstuv', text: 'my rash is worse' }, 'booking confirmed');
    const out = chunks.join('');
    expect(out).toContain('booking confirmed');
    expect(out).toContain('+91******3210');
    expect(out).not.toContain('9876543210');
    expect(out).not.toContain('rash');
    expect(out).not.toContain('abcdefghijklmnopqrstuv');
    expect(() => JSON.parse(out.trim())).toThrow();
  });

  it('chooses readable lines on a terminal only when the format is auto', () => {
    expect(wantsPrettyLogs('auto', true)).toBe(true);
    expect(wantsPrettyLogs('auto', false)).toBe(false);
    expect(wantsPrettyLogs('json', true)).toBe(false);
    expect(wantsPrettyLogs('pretty', false)).toBe(true);
  });
});
