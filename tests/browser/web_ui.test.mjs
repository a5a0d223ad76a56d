// A clerk, a colleague of the same department and one of another department
// use the web pages in Debian's Chromium (headless), as tests/e2e/web_ui_test.sh
// sets up: upload through the drop zone, search without diacritics, open the
// document, and never see another department's documents. Screenshots of each
// page go to $ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { step, signIn as signInAs, finish } from './ui_lib.mjs';

const { BASE_URL, PASSWORD, ARTIFACTS, SAMPLES, KEY_PIN, DOSAR } = process.env;
const signIn = (browser, user) => signInAs(browser, BASE_URL, user, PASSWORD);

async function search(page, query) {
  await page.goto(BASE_URL + '/#/cautare');
  await page.getByLabel('Caută în arhivă').fill(query);
  await page.evaluate(() => { document.getElementById('search-count').textContent = ''; });
  const answered = page.waitForResponse((r) => r.url().includes('/api/v1/search?'));
  await page.getByLabel('Caută în arhivă').press('Enter');
  await answered;
  await page.locator('#search-count').filter({ hasText: /document/ }).waitFor();
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  await step('a wrong password is refused on the page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(BASE_URL + '/');
    await page.getByLabel('Utilizator').fill('ana');
    await page.getByLabel('Parolă').fill('parola-gresita-123');
    await page.getByRole('button', { name: 'Intră' }).click();
    await page.locator('#sign-in-error').filter({ hasText: 'wrong user name or password' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, '01-autentificare.png'), fullPage: true });
    await context.close();
  });

  const clerk = await signIn(browser, 'ana');
  await step('the clerk uploads a scan and a PDF and sees each stored', async () => {
    const { page } = clerk;
    await page.getByRole('link', { name: 'Încărcare documente' }).click();
    await page.getByLabel('Tip document').fill('cerere');
    await page.locator('#files').setInputFiles([path.join(SAMPLES, 'cerere-ancheta-sociala.pdf'),
                                                path.join(SAMPLES, 'scan-proces-verbal.jpg')]);
    const done = page.locator('#uploads li.done');
    await done.nth(1).waitFor({ timeout: 240_000 });
    assert.equal(await page.locator('#uploads li.failed').count(), 0);
    await page.screenshot({ path: path.join(ARTIFACTS, '02-incarcare.png'), fullPage: true });
  });

  await step('the clerk is refused a file that is not a document', async () => {
    const { page } = clerk;
    await page.locator('#files').setInputFiles({ name: 'factura.pdf', mimeType: 'application/pdf',
                                                 buffer: Buffer.from('MZ this is no PDF') });
    const failed = page.locator('#uploads li.failed');
    await failed.waitFor();
    assert.match(await failed.innerText(), /refuzat/);
  });

  let registered = null;
  await step('the clerk registers the request with the uploaded documents and prints the receipt', async () => {
    const { page } = clerk;
    await page.getByRole('link', { name: 'Registratură' }).click();
    assert.match(await page.getByLabel('Documente atașate (numere)').inputValue(), /^\d+, \d+$/,
                 'the documents just uploaded are proposed');
    await page.getByLabel('Categorie (stabilește termenul)').fill('petitie');
    await page.getByLabel('Expeditor').fill('Ionescu Maria');
    await page.getByLabel('Adresă sau e-mail').fill('str. Băicului nr. 12, București');
    await page.getByLabel('Conținut pe scurt').fill('cerere de anchetă socială');
    await page.getByRole('button', { name: 'Înregistrează' }).click();
    await page.locator('#registered').waitFor({ state: 'visible' });
    registered = { number: await page.locator('#reg-number').innerText(), code: await page.locator('#reg-code').innerText() };
    assert.match(registered.number, /^1\/\d\d\.\d\d\.\d{4}$/);
    await page.locator('#registry-table tbody').filter({ hasText: registered.number }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Descarcă recipisa (PDF)' }).click();
    const receipt = await download;
    const file = path.join(ARTIFACTS, 'recipisa.pdf');
    await receipt.saveAs(file);
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(file).subarray(0, 5).toString(), '%PDF-');
    await page.screenshot({ path: path.join(ARTIFACTS, '02b-registratura.png'), fullPage: true });
  });

  await step('the citizen follows the request with number and code, without signing in', async () => {
    const context = await browser.newContext({ locale: 'ro-RO' });
    const page = await context.newPage();
    await page.goto(BASE_URL + '/stare.html');
    await page.getByLabel('Număr de înregistrare').fill(registered.number);
    await page.getByLabel('Cod de acces').fill('GRESIT1234');
    await page.getByRole('button', { name: 'Verifică' }).click();
    await page.locator('#status-error').filter({ hasText: 'nu sunt corecte' }).waitFor();
    await page.getByLabel('Cod de acces').fill(registered.code);
    await page.getByRole('button', { name: 'Verifică' }).click();
    await page.locator('#status-result').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#st-status').innerText(), 'înregistrată');
    const shown = await page.locator('main').innerText();
    assert.ok(!shown.includes('Ionescu') && !shown.includes('Băicului'), 'nothing personal on the public page');
    await page.screenshot({ path: path.join(ARTIFACTS, '06-stare-cerere.png'), fullPage: true });
    await context.close();
  });

  await step('the head approves and signs the request from the inbox with the PIN of the key', async () => {
    // The author starts the approval flow of the uploaded request (document 1, type "cerere").
    execFileSync(DOSAR, ['flow', 'start', '1', '--as', 'ana']);
    const { page } = await signIn(browser, 'sef');
    await page.getByRole('link', { name: 'De aprobat' }).click();
    const row = page.locator('#inbox-table tbody tr').filter({ hasText: 'cerere-ancheta-sociala' });
    await row.waitFor();
    await row.getByRole('checkbox').check();
    await page.getByLabel('PIN-ul cheii de semnare').fill('gresit');
    await page.getByRole('button', { name: 'Aprobă și semnează selectatele' }).click();
    await page.locator('#inbox-summary').filter({ hasText: 'nimic semnat' }).waitFor();
    await page.getByLabel('PIN-ul cheii de semnare').fill(KEY_PIN);
    await page.getByRole('button', { name: 'Aprobă și semnează selectatele' }).click();
    await row.locator('.outcome').filter({ hasText: 'semnat: versiunea 2' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, '02c-de-aprobat.png'), fullPage: true });
  });

  const colleague = await signIn(browser, 'maria');
  await step('a colleague finds the request without diacritics, with marked words and facets', async () => {
    const { page } = colleague;
    await search(page, 'ancheta sociala baicului');
    assert.equal(await page.locator('#search-count').innerText(), '1 document');
    const hit = page.locator('#results li').first();
    assert.match(await hit.locator('.hit-title').innerText(), /cerere-ancheta-sociala/);
    assert.ok(await hit.locator('mark').count() >= 2, 'matched words are marked');
    assert.match(await page.locator('#facets').innerText(), /Asistență socială/);
    await page.screenshot({ path: path.join(ARTIFACTS, '03-cautare.png'), fullPage: true });
  });

  await step('the colleague finds the scanned page by its OCR text', async () => {
    const { page } = colleague;
    await search(page, 'proces verbal');
    assert.match(await page.locator('#results').innerText(), /scan-proces-verbal/);
  });

  await step('the document page shows versions, downloads and the audit trail', async () => {
    const { page } = colleague;
    await search(page, 'ancheta sociala baicului');
    await page.locator('#results .hit-title a').first().click();
    await page.locator('#doc-title').filter({ hasText: 'cerere-ancheta-sociala' }).waitFor();
    assert.match(await page.locator('#doc-fields').innerText(), /Asistență socială/);
    assert.match(await page.locator('#doc-versions').innerText(), /cerere-ancheta-sociala\.pdf/);
    await page.locator('#doc-signatures').filter({ hasText: 'semnătură validă' }).waitFor();  // the head's, trusted root
    assert.match(await page.locator('#doc-signatures').innerText(), /Ion Popescu \(RSA\)/);
    await page.locator('#doc-audit tbody').filter({ hasText: 'document creat' }).waitFor();  // a second request
    const preview = page.locator('#doc-pages img').first();
    await preview.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => { const i = document.querySelector('#doc-pages img'); return i && i.complete && i.naturalWidth > 0; });
    assert.equal(await preview.evaluate((i) => i.naturalWidth), 300);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'original' }).first().click();  // version 1
    assert.equal((await download).suggestedFilename(), 'cerere-ancheta-sociala.pdf');
    await page.screenshot({ path: path.join(ARTIFACTS, '04-document.png'), fullPage: true });
  });

  const outsider = await signIn(browser, 'ion');
  await step('a member of another department finds nothing and cannot open it', async () => {
    const { page } = outsider;
    await search(page, 'ancheta sociala baicului');
    assert.equal(await page.locator('#search-count').innerText(), '0 documente');
    await page.screenshot({ path: path.join(ARTIFACTS, '05-alt-departament.png'), fullPage: true });
    await page.goto(BASE_URL + '/#/document/1');
    await page.locator('#error').filter({ hasText: 'no such document' }).waitFor();
  });

  await step('signing out ends the session', async () => {
    const { page } = clerk;
    await page.getByRole('button', { name: 'Ieșire' }).click();
    await page.getByLabel('Utilizator').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/documents')).status);
    assert.equal(status, 401);
  });
} finally {
  await browser.close();
}
finish();
