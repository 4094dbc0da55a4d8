'use strict';
// Headless Chromium for the tests that look at a rendered page: found on PATH, or installed from
// Debian's `chromium` package when the tests run as root on a machine with apt-get (a fresh CI
// machine), so that `npm test` needs no manual step.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function which(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch { /* not here */ }
  }
  return null;
}

function findOnPath() {
  for (const name of NAMES) {
    const file = which(name);
    if (file) return file;
  }
  return null;
}

/** The browser's path; installs Debian's package when missing and possible. Throws when not. */
function findOrInstallChromium() {
  const found = findOnPath();
  if (found) return found;
  const canInstall = process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0 && which('apt-get');
  if (!canInstall) throw new Error('Headless Chromium is needed: install it (Debian/Ubuntu: apt-get install chromium) or put chromium on PATH');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const res = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (res.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed:\n${res.stderr}`);
  }
  const installed = findOnPath();
  if (!installed) throw new Error('apt-get installed chromium but no chromium is on PATH');
  return installed;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--hide-scrollbars'];

/** Runs the browser on a file with a new empty profile; `extra` are the action flags. */
function runChromium(browser, file, extra) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dense-mtl-chromium-'));
  try {
    const res = spawnSync(browser, [...FLAGS, `--user-data-dir=${profile}`, ...extra, `file://${file}`],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120000 });
    if (res.error) throw res.error;
    if (res.status !== 0) throw new Error(`${browser} exited with ${res.status}:\n${res.stderr}`);
    return res.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page loaded, as Chromium serializes it. */
const dumpDom = (browser, file) => runChromium(browser, file, ['--dump-dom']);

/** A PNG screenshot of the page at `width` x `height` CSS pixels, written to `png`. */
function screenshot(browser, file, png, width = 1280, height = 2400) {
  runChromium(browser, file, [`--screenshot=${png}`, `--window-size=${width},${height}`]);
  return png;
}

module.exports = { findOrInstallChromium, dumpDom, screenshot };
