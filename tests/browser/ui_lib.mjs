// What the browser suites share (tests/e2e/lib.sh's browser_tools copies it
// beside them): named steps whose failures are collected, axe-core on a
// page (serious or critical findings fail), signing in, and the exit.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const AXE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', 'axe-core', 'axe.min.js');
export const failures = [];

export async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  }
}

// REQUIRES: the page's context was made with bypassCSP (the pages forbid
// inline scripts, and axe is injected as one).
export async function axe(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const detail = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(detail, [], `axe on ${label}`);
  console.log(`  axe: ${label}: ${result.passes.length} rules pass, no serious or critical findings`);
}

// A new browser context signed in as `user` on the sign-in page.
export async function signIn(browser, baseUrl, user, password, options = {}) {
  const context = await browser.newContext({ locale: 'ro-RO', viewport: { width: 1366, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(`page error for ${user}: ${e.message}`));
  await page.goto(baseUrl + '/');
  await page.getByLabel('Utilizator').fill(user);
  await page.getByLabel('Parolă').fill(password);
  await page.getByRole('button', { name: 'Intră' }).click();
  await page.locator('#who-name').waitFor({ state: 'visible' });
  return { context, page };
}

// Exits 1 after listing the failed steps, else says all passed.
export function finish() {
  if (failures.length) {
    console.log(`${failures.length} failed: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log('all browser checks passed');
}
