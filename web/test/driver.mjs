// driver.mjs drives Parley's browser client in Debian's headless Chromium
// for the Go tests (parley/web/webtest starts it). It launches
// /usr/bin/chromium (never a downloaded browser) with a fresh profile,
// then reads one JSON command a line on standard input and answers each
// with one JSON line on standard output:
//
//   {"id":1,"op":"goto","url":"http://127.0.0.1:7000/"}  ->  {"id":1,"ok":true,"value":null}
//
// Before the first command it prints {"ready":true,"browser_pid":N}, so
// that its caller can end Chromium's process group (Playwright starts
// Chromium as the leader of a group of its own) even if this script dies.
//
// Usage: node driver.mjs PROFILE_DIR [CLOCK_SKEW_MS [RELAY_ONLY [WIDTHxHEIGHT [phone [VIDEO.y4m [AUDIO.wav]]]]]]
// ("phone": a touch screen with a mobile viewport; the files: what the fake
// camera and microphone play instead of their test pattern and beep)

import {chromium} from 'playwright-core';
import {createInterface} from 'node:readline';

const [profile, skew = '0', relay = '', size = '1100x800', phone = '', video = '', audio = ''] = process.argv.slice(2);
const [width, height] = size.split('x').map(Number);
if (!profile || !width || !height) {
  console.error('usage: node driver.mjs PROFILE_DIR [CLOCK_SKEW_MS [RELAY_ONLY [WIDTHxHEIGHT [phone [VIDEO.y4m [AUDIO.wav]]]]]]');
  process.exit(2);
}

const FLAGS = [
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
  ...(video ? [`--use-file-for-fake-video-capture=${video}`] : []),
  ...(audio ? [`--use-file-for-fake-audio-capture=${audio}`] : []),
];

// Runs in every page before its own scripts (through the DevTools
// protocol, so the page's CSP does not apply): it keeps the page's peer
// connections for getStats; when asked, it shifts the page's clock (to
// show that the client corrects for clock offset) and makes ICE use TURN
// relays only (to show that the TURN credentials of the login work).
function instrument({skewMs, relayOnly}) {
  window.__pcs = [];
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = function (config = {}) {
    const pc = new PC(relayOnly ? {...config, iceTransportPolicy: 'relay'} : config);
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = PC.prototype;
  if (skewMs) {
    const now = Date.now.bind(Date);
    Date.now = () => now() + skewMs;
  }
}

const out = (m) => process.stdout.write(JSON.stringify(m) + '\n');

const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, viewport: {width, height},
  ...(phone === 'phone' ? {isMobile: true, hasTouch: true, deviceScaleFactor: 3} : {}),
});
await context.addInitScript(instrument, {skewMs: Number(skew), relayOnly: relay === 'relay'});
const page = context.pages()[0] || await context.newPage();
// What the page logs and every URL it asks for, so that tests can check
// that no secret leaks there.
page.on('console', (m) => out({console: m.type(), text: m.text()}));
page.on('pageerror', (e) => out({pageerror: String(e)}));
page.on('request', (r) => out({request: r.url()}));

const cdp = await context.browser().newBrowserCDPSession();
const {processInfo} = await cdp.send('SystemInfo.getProcessInfo');
out({ready: true, browser_pid: processInfo.find((p) => p.type === 'browser')?.id ?? 0});

const ops = {
  goto: (c) => page.goto(c.url).then(() => null),
  fill: (c) => page.fill(c.sel, c.text).then(() => null),
  click: (c) => page.click(c.sel).then(() => null),
  tap: (c) => page.locator(c.sel).first().tap().then(() => null),
  // trial: Playwright's actionability checks for a click, without the click.
  trial: (c) => page.locator(c.sel).first().click({trial: true, timeout: c.timeout}).then(() => null),
  screenshot: (c) => page.screenshot({path: c.path}).then(() => null),
  resize: (c) => page.setViewportSize({width: c.width, height: c.height}).then(() => null),
  // wait: until sel is visible (and holds text, when given).
  wait: (c) => (c.text === undefined
    ? page.locator(c.sel).first().waitFor({timeout: c.timeout})
    : page.locator(c.sel, {hasText: c.text}).first().waitFor({timeout: c.timeout})).then(() => null),
  text: (c) => page.locator(c.sel).first().textContent(),
  count: (c) => page.locator(c.sel).count(),
  // eval: the value of a JavaScript expression, awaited when a promise.
  eval: (c) => page.evaluate(c.js),
};

for await (const line of createInterface({input: process.stdin})) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  if (c.op === 'close') break;
  try {
    const f = ops[c.op];
    if (!f) throw new Error(`unknown op ${c.op}`);
    out({id: c.id, ok: true, value: (await f(c)) ?? null});
  } catch (e) {
    out({id: c.id, ok: false, error: String(e.message || e)});
  }
}
await context.close();
