// A citizen uses the public forms in Debian's Chromium (headless), as
// tests/e2e/forms_ui_test.sh sets up: every form submitted with an
// attachment (the page solves the proof of work), the receipt, the status
// page and a document added later; one form without JavaScript; the clerk's
// "de verificat" queue, where script and HTML payloads show as text and run
// nothing; accept-and-route and annul as spam. axe-core checks every public
// page and fails on serious or critical findings.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { failures, step, axe } from './ui_lib.mjs';

const { BASE_URL, PASSWORD, ARTIFACTS, SAMPLES } = process.env;
const PAYLOAD = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
const NAME_PAYLOAD = '<img src=x onerror=window.__xss=3>.pdf';
const dialogs = [];

async function newPage(browser, options = {}) {
  // bypassCSP: the pages forbid inline scripts, and axe is injected as one.
  const context = await browser.newContext({ locale: 'ro-RO', viewport: { width: 1280, height: 900 }, bypassCSP: true, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  return { context, page };
}

async function fillForm(page, form, overrides = {}) {
  for (const f of form.fields) {
    const value = overrides[f.name] ?? ({ email: 'ion@example.ro', tel: '0721 000 000', date: '2026-11-01', textarea: 'Text de test, cu diacritice: ă î ș ț.' }[f.type] ?? 'Ion Popescu');
    const field = page.locator('#f-' + f.name);
    if (f.type === 'select') await field.selectOption(f.options[0].value);
    else if (f.type === 'checkbox') await field.check();
    else await field.fill(value);
  }
  await page.getByLabel(/Am citit informarea/).check();
}

async function submitted(page) {
  await page.locator('#result #c-code').waitFor({ timeout: 60000 });
  return { number: await page.locator('#c-number').textContent(), code: await page.locator('#c-code').textContent() };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const sample = path.join(SAMPLES, 'cerere-ancheta-sociala.pdf');
let first = null;
let xss = null;
try {
  const forms = (await (await fetch(BASE_URL + '/api/v1/public/forms')).json()).forms;
  const { page } = await newPage(browser);

  await step('the list of forms is accessible', async () => {
    await page.goto(BASE_URL + '/formulare');
    assert.equal(await page.locator('main li a').count(), 4);
    await axe(page, '/formulare');
    await page.screenshot({ path: path.join(ARTIFACTS, '01-formulare.png'), fullPage: true });
  });

  for (const [i, form] of forms.entries()) {
    await step(`form ${form.id}: submitted with an attachment, answered with number, code and receipt`, async () => {
      await page.goto(BASE_URL + '/formulare');
      await page.getByRole('link', { name: form.title }).click();
      await page.locator('#public-form').waitFor();
      await axe(page, '/formulare/' + form.id);
      await fillForm(page, form, form.id === 'documente' ? { numar_cerere: first ? first.number : '1/01.01.2026' } : {});
      await page.locator('#f-files').setInputFiles(sample);
      await page.getByRole('button', { name: 'Trimite' }).click();
      const answer = await submitted(page);
      assert.match(answer.number, /^\d+\/\d\d\.\d\d\.\d{4}$/);
      assert.match(answer.code, /^[A-Z2-9]{10}$/);
      await axe(page, `confirmation of ${form.id}`);
      const receipt = await page.request.get(BASE_URL + await page.locator('#c-receipt').getAttribute('href'));
      assert.equal(receipt.status(), 200);
      assert.equal((await receipt.body()).subarray(0, 5).toString(), '%PDF-');
      await page.screenshot({ path: path.join(ARTIFACTS, `0${2 + i}-${form.id}.png`), fullPage: true });
      if (!first) first = answer;
    });
  }

  await step('an error is shown next to its field and announced', async () => {
    await page.goto(BASE_URL + '/formulare/petitie');
    const form = forms.find((f) => f.id === 'petitie');
    await fillForm(page, form, { email: 'ion@example.ro' });
    await page.locator('#f-files').setInputFiles({ name: 'nota.pdf', mimeType: 'application/pdf', buffer: Buffer.from('doar text, nu un PDF\n') });
    await page.getByRole('button', { name: 'Trimite' }).click();
    await page.locator('#e-files').filter({ hasText: 'nota.pdf' }).waitFor();
    assert.equal(await page.locator('#f-files').getAttribute('aria-invalid'), 'true');
    await axe(page, 'form with an error');
  });

  await step('the status page shows the route, and the citizen adds a document', async () => {
    await page.goto(BASE_URL + '/stare.html');
    await axe(page, '/stare.html');
    await page.getByLabel('Număr de înregistrare').fill(first.number);
    await page.getByLabel('Cod de acces').fill(first.code);
    await page.getByRole('button', { name: 'Verifică' }).click();
    await page.locator('#st-status').filter({ hasText: 'de verificat' }).waitFor();
    await axe(page, '/stare.html with a result');
    await page.locator('#more-files').setInputFiles(path.join(SAMPLES, 'scan-proces-verbal.jpg'));
    await page.getByRole('button', { name: 'Trimite documentele' }).click();
    await page.locator('#add-result').filter({ hasText: 'au fost adăugate' }).waitFor({ timeout: 60000 });
    await page.locator('#st-route').filter({ hasText: 'documente adăugate' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, '06-stare.png'), fullPage: true });
  });

  await step('a form works without JavaScript', async () => {
    const { context, page: plain } = await newPage(browser, { javaScriptEnabled: false });
    await plain.goto(BASE_URL + '/formulare/petitie');
    await fillForm(plain, forms.find((f) => f.id === 'petitie'));
    await plain.getByRole('button', { name: 'Trimite' }).click();
    await plain.locator('#c-code').waitFor();
    assert.match(await plain.locator('h1').textContent(), /înregistrată/);
    await plain.screenshot({ path: path.join(ARTIFACTS, '07-fara-javascript.png'), fullPage: true });
    await context.close();
  });

  await step('script and HTML payloads are submitted in fields and a file name', async () => {
    await page.goto(BASE_URL + '/formulare/petitie');
    await fillForm(page, forms.find((f) => f.id === 'petitie'), { nume: PAYLOAD, obiect: PAYLOAD, continut: PAYLOAD, adresa: '"><svg onload=window.__xss=4>' });
    // Bytes of their own, so that the document is new and carries this name.
    const bytes = Buffer.concat([readFileSync(sample), Buffer.from('\n%xss\n')]);
    await page.locator('#f-files').setInputFiles({ name: NAME_PAYLOAD, mimeType: 'application/pdf', buffer: bytes });
    await page.getByRole('button', { name: 'Trimite' }).click();
    xss = await submitted(page);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
  });

  const clerk = await newPage(browser);
  await step('the clerk sees the payloads as text in "de verificat" and nothing runs', async () => {
    const p = clerk.page;
    await p.goto(BASE_URL + '/');
    await p.getByLabel('Utilizator').fill('grefier');
    await p.getByLabel('Parolă').fill(PASSWORD);
    await p.getByRole('button', { name: 'Intră' }).click();
    await p.locator('#who-name').waitFor({ state: 'visible' });
    await p.goto(BASE_URL + '/#/registratura');
    const row = p.locator(`#online-table tr[data-number="${xss.number}"]`);
    await row.waitFor();
    const text = await row.textContent();
    assert.ok(text.includes('<script>window.__xss = 1</script>'), text);
    assert.ok(text.includes(NAME_PAYLOAD), text);
    assert.equal(await row.locator('img, script, svg').count(), 0);
    await p.waitForTimeout(500);
    assert.equal(await p.evaluate(() => window.__xss), undefined);
    assert.deepEqual(dialogs, []);
    await p.screenshot({ path: path.join(ARTIFACTS, '08-de-verificat.png'), fullPage: true });
  });

  await step('the clerk accepts and routes one, and annuls the spam with a reason', async () => {
    const p = clerk.page;
    const row = p.locator(`#online-table tr[data-number="${first.number}"]`);
    await row.getByLabel('Departament').fill('Urbanism');
    await row.getByRole('button', { name: 'Acceptă și repartizează' }).click();
    await row.waitFor({ state: 'detached' });
    const spam = p.locator(`#online-table tr[data-number="${xss.number}"]`);
    await spam.getByLabel('Motiv').fill('conținut abuziv');
    await spam.getByRole('button', { name: 'Anulează (spam)' }).click();
    await spam.waitFor({ state: 'detached' });
    // Routed to Urbanism, the entry leaves the desk's sight; the annulled one stays in the register.
    await p.locator('#registry-table').filter({ hasText: 'anulat' }).waitFor();
    await p.screenshot({ path: path.join(ARTIFACTS, '09-verificate.png'), fullPage: true });
  });

  await step('the citizen sees the route after the check', async () => {
    await page.goto(BASE_URL + '/stare.html');
    await page.getByLabel('Număr de înregistrare').fill(first.number);
    await page.getByLabel('Cod de acces').fill(first.code);
    await page.getByRole('button', { name: 'Verifică' }).click();
    await page.locator('#st-status').filter({ hasText: 'repartizată' }).waitFor();
    await page.locator('#st-route').filter({ hasText: 'verificată la registratură' }).waitFor();
    await page.locator('#st-route').filter({ hasText: 'Urbanism' }).waitFor();
  });
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`${failures.length} failure(s): ${failures.join('; ')}`);
  process.exit(1);
}
