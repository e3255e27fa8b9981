// Puppeteer's own browser download cannot work on these machines: tests launch the
// system Chromium instead (see tests/browser/chromium.ts).
module.exports = { skipDownload: true };
