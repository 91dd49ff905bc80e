/**
 * The adapter's browser settings start a real browser: the system Chromium launched by puppeteer (the
 * library whatsapp-web.js drives it with) with exactly the adapter's launch options, headless, as the
 * user running the tests (root in CI, where only these flags let Chromium start), on a LocalAuth-style
 * profile directory. No page leaves the machine.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer';
import { describe, expect, it } from 'vitest';
import { chromiumLaunchOptions, DEFAULT_CHROME_PATH } from '../../../src/channels/whatsapp/whatsAppClient.js';

describe('Chromium for WhatsApp Web', () => {
  it('starts headless with the adapter launch options and closes', async () => {
    const profile = await mkdtemp(path.join(tmpdir(), 'clinic-wa-chromium-'));
    const options = chromiumLaunchOptions(process.env.CHROME_PATH || DEFAULT_CHROME_PATH);
    try {
      // LocalAuth adds the profile directory; everything else is the adapter's.
      const browser = await puppeteer.launch({ ...options, userDataDir: path.join(profile, 'session') });
      try {
        expect(await browser.version()).toMatch(/Chrom/);
        const page = await browser.newPage();
        await page.setContent('<p id="state">linked</p>');
        expect(await page.$eval('#state', (element) => element.textContent)).toBe('linked');
        expect(await page.evaluate('navigator.userAgent')).toContain('HeadlessChrome');
      } finally {
        await browser.close();
      }
      expect(browser.connected).toBe(false);
      expect(await readdir(path.join(profile, 'session'))).toContain('Default');
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});
