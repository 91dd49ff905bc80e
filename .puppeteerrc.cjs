/**
 * Puppeteer (used by whatsapp-web.js) must never download a browser at install time:
 * WhatsApp runs on the system Chromium given by CHROME_PATH.
 */
module.exports = { skipDownload: true };
