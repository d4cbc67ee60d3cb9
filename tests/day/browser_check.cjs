// Opens a report's index.html in headless Chromium (npm @sparticuz/chromium, driven by
// puppeteer-core; Debian's /usr/bin/chromium if GRIDLEDGER_CHROMIUM names it) and prints
// one JSON line: images (src, complete, naturalWidth), console errors, page errors, failed
// requests, and the headline cards (data-key -> text). With a second argument, also writes a
// full-page screenshot there.
const path = require('path');
const puppeteer = require('puppeteer-core');

async function executable() {
  if (process.env.GRIDLEDGER_CHROMIUM) return { path: process.env.GRIDLEDGER_CHROMIUM, args: ['--no-sandbox', '--headless=new'] };
  const chromium = require('@sparticuz/chromium').default || require('@sparticuz/chromium');
  return { path: await chromium.executablePath(), args: chromium.args };
}

(async () => {
  const [page_, shot] = process.argv.slice(2);
  const exe = await executable();
  const browser = await puppeteer.launch({ executablePath: exe.path, args: exe.args, headless: true });
  const consoleErrors = [], pageErrors = [], failed = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto('file://' + path.resolve(page_), { waitUntil: 'load', timeout: 60000 });
    const data = await page.evaluate(() => ({
      images: Array.from(document.images).map((i) => ({ src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth })),
      headline: Object.fromEntries(Array.from(document.querySelectorAll('[data-key]')).map((e) => [e.dataset.key, e.textContent.trim()])),
      title: document.title,
    }));
    if (shot) await page.screenshot({ path: shot, fullPage: false });
    console.log(JSON.stringify({ ...data, consoleErrors, pageErrors, failed }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
