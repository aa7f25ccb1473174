import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

// Debian's Chromium, installed by npm test's pretest step (scripts/ensure-chromium.mjs) when missing; never a downloaded browser.
export const CHROMIUM = process.env['ACCORDS_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium: npm test installs it (or run apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    // Playwright gives each launch a fresh, temporary user-data-dir of its own.
  });
}

/**
 * Keystroke-to-update time, measured in the page: from the key event's own time
 * stamp (when the browser received the key) to the moment the page shows the
 * result, layout included. `probe` names what must change: the passage shown
 * (next), the saved row and the next passage (accept), or an objective's row
 * (toggle). The script is a string so no test transpiler helper reaches the page.
 */
const ARM = `window.__arm = (key, probeName, objective) => {
  const sel = () => document.querySelector('#list li.sel');
  const probes = {
    next: () => (document.querySelector('#labels') && sel() ? document.querySelector('#passage').textContent + '|' + sel().dataset.id : null),
    accept: () => {
      const badge = document.querySelector('#list li[data-id="' + window.__id + '"] .badge');
      return badge && document.querySelector('#labels') && sel() ? badge.textContent + '|' + sel().dataset.id : null;
    },
    toggle: () => { const td = document.querySelector('#labels tr[data-objective="' + objective + '"] td:nth-child(2)'); return td ? td.className : null; },
  };
  window.__id = sel() ? sel().dataset.id : null;
  const probe = probes[probeName];
  const before = probe();
  window.__done = new Promise((resolve, reject) => {
    let t0 = 0;
    window.addEventListener('keydown', (ev) => { t0 = ev.timeStamp; }, { capture: true, once: true });
    const obs = new MutationObserver(() => {
      const now = probe();
      if (!t0 || now === null || now === before) return;
      document.body.getBoundingClientRect();
      obs.disconnect();
      resolve(performance.now() - t0);
    });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    setTimeout(() => { obs.disconnect(); reject(new Error('the page did not update within 5 s of ' + key)); }, 5000);
  });
  return true;
}; true`;

export async function timeKeys(page: Page, key: string, probe: 'next' | 'accept' | 'toggle', presses: number, objective = 'research'): Promise<number[]> {
  await page.evaluate(ARM);
  const times: number[] = [];
  for (let i = 0; i < presses; i++) {
    // Arm first, then press: the two travel separately to the browser.
    await page.evaluate(`window.__arm(${JSON.stringify(key)}, ${JSON.stringify(probe)}, ${JSON.stringify(objective)})`);
    await page.keyboard.press(key);
    times.push((await page.evaluate('window.__done')) as number);
  }
  return times;
}

export function summary(times: number[]): { median: number; p95: number; max: number } {
  const s = [...times].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!, max: s[s.length - 1]! };
}
