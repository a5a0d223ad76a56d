// The web admin, the registry book, the reports and batch signing in
// Debian's Chromium (headless), as tests/e2e/admin_ui_test.sh sets up: an
// administrator adds a user, who signs in; the clerk sends two documents
// for approval from their pages; the head signs both with one PIN (a wrong
// PIN first signs nothing) and the signed versions are saved for pdfsig;
// the reports page shows the petitions report and downloads its CSV. axe-core
// checks every new page and fails on serious or critical findings.
// Screenshots go to $ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { step, axe, signIn as signInAs, finish } from './ui_lib.mjs';

const { BASE_URL, PASSWORD, ARTIFACTS, KEY_PIN, YEAR } = process.env;

// bypassCSP: for axe; downloads for the report's CSV.
const signIn = (browser, user, password = PASSWORD) =>
  signInAs(browser, BASE_URL, user, password, { viewport: { width: 1366, height: 900 }, bypassCSP: true, acceptDownloads: true });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const admin = await signIn(browser, 'admin');
  await step('the administrator adds a user with a department and an initial password', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Administrare' }).click();
    await page.locator('#admin-users tbody tr[data-user="ana"]').waitFor();
    await axe(page, 'administrare: utilizatori');
    await page.getByLabel('Utilizator (fără spații)').fill('dana');
    await page.getByLabel('Nume complet').fill('Dana Ștefănescu');
    await page.getByLabel('Compartimente (separate prin virgulă)').fill('Asistență socială');
    await page.getByLabel('Parola inițială').fill('parola-danei-12');
    await page.getByRole('button', { name: 'Adaugă utilizatorul' }).click();
    await page.locator('#admin-status').filter({ hasText: 'dana a fost adăugat' }).waitFor();
    await page.locator('#admin-users tbody tr[data-user="dana"]').filter({ hasText: 'Dana Ștefănescu' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, '01-administrare-utilizatori.png'), fullPage: true });
  });

  await step('the administrator sees kinds, templates and the nomenclator pages', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Categorii și termene' }).click();
    await page.locator('#admin-kinds tbody tr').filter({ hasText: 'petitie' }).waitFor();
    await axe(page, 'administrare: categorii');
    await page.screenshot({ path: path.join(ARTIFACTS, '02-administrare-categorii.png'), fullPage: true });
    await page.getByRole('link', { name: 'Circuite de aprobare' }).click();
    await page.locator('#admin-templates li[data-kind="aviz"]').filter({ hasText: 'aprobare: sef' }).waitFor();
    await axe(page, 'administrare: circuite');
    await page.getByRole('link', { name: 'Compartimente' }).click();
    await page.locator('#admin-departments').filter({ hasText: 'Asistență socială' }).waitFor();
    await axe(page, 'administrare: compartimente');
    await page.getByRole('link', { name: 'Nomenclator (păstrare)' }).click();
    await page.locator('#ret-year').waitFor();
    await axe(page, 'administrare: nomenclator');
  });

  await step('the administrator builds an approval template in the form: stages, a parallel step, users and a role', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Circuite de aprobare' }).click();
    await page.getByLabel('Categoria documentului').fill('referat');
    const row = (n) => page.locator(`#tpl-rows tr:nth-child(${n})`);
    await row(1).locator('[data-field=label]').fill('viză');
    await row(1).locator('[data-field=users]').fill('ana');
    await page.getByRole('button', { name: 'Adaugă o etapă' }).click();
    await row(2).locator('[data-field=label]').fill('aprobare');
    await row(2).getByLabel('Cine aprobă').selectOption('role');
    await row(2).locator('[data-field=role]').fill('sef');
    await row(2).locator('[data-field=department]').selectOption('Asistență socială');
    await page.getByRole('button', { name: 'Adaugă un pas în paralel cu ultima etapă' }).click();
    assert.equal(await row(3).locator('[data-field=position]').inputValue(), '2');
    await row(3).locator('[data-field=label]').fill('avizare juridică');
    await row(3).locator('[data-field=users]').fill('nimeni');
    await page.getByRole('button', { name: 'Salvează circuitul' }).click();
    // The server names the step and the field; the page marks and focuses it.
    await page.locator('#admin-status').filter({ hasText: 'pasul 3: no such user: nimeni' }).waitFor();
    assert.equal(await row(3).locator('[data-field=users]').getAttribute('aria-invalid'), 'true');
    assert.ok(await row(3).locator('[data-field=users]').evaluate((e) => e === document.activeElement));
    await axe(page, 'administrare: circuit cu eroare');
    await page.screenshot({ path: path.join(ARTIFACTS, '02b-circuit-eroare.png'), fullPage: true });
    const before = await page.evaluate(async () => (await (await fetch('/api/v1/admin/templates')).json()).templates.length);
    assert.equal(before, 1, 'a refused template stores nothing');
    await row(3).locator('[data-field=users]').fill('sef, admin');
    await page.getByRole('button', { name: 'Salvează circuitul' }).click();
    await page.locator('#admin-status').filter({ hasText: 'Circuitul pentru referat a fost salvat' }).waitFor();
    await page.locator('#admin-templates li[data-kind="referat"]').filter({ hasText: 'în paralel cu' }).waitFor();
    const saved = await page.evaluate(async () =>
      (await (await fetch('/api/v1/admin/templates')).json()).templates.find((t) => t.kind === 'referat'));
    assert.deepEqual(saved.steps.map((s) => [s.position, s.label, s.users.join(','), s.role, s.department]),
      [[1, 'viză', 'ana', '', ''], [2, 'aprobare', '', 'sef', 'Asistență socială'], [2, 'avizare juridică', 'sef,admin', '', '']]);
    // Editing loads the saved steps back into the form.
    await page.getByRole('button', { name: 'Modifică circuitul referat' }).click();
    assert.equal(await page.locator('#tpl-rows tr').count(), 3);
    assert.equal(await row(2).getByLabel('Cine aprobă').inputValue(), 'role');
    await axe(page, 'administrare: circuit în lucru');
    await page.screenshot({ path: path.join(ARTIFACTS, '02c-circuit-formular.png'), fullPage: true });
  });

  await step('the new user signs in and is offered no admin', async () => {
    const { page, context } = await signIn(browser, 'dana', 'parola-danei-12');
    assert.equal(await page.getByRole('link', { name: 'Administrare' }).count(), 0);
    const status = await page.evaluate(async () => (await fetch('/api/v1/admin/users')).status);
    assert.equal(status, 403);
    await context.close();
  });

  const clerk = await signIn(browser, 'ana');
  await step('the clerk sends two documents for approval from their pages', async () => {
    const { page } = clerk;
    for (const id of [1, 2]) {
      await page.goto(`${BASE_URL}/#/document/${id}`);
      await page.getByRole('button', { name: 'Trimite la aprobare' }).click();
      await page.locator('#flow-start').filter({ hasText: 'trimis la aprobare' }).waitFor();
    }
    await page.screenshot({ path: path.join(ARTIFACTS, '03-trimis-la-aprobare.png'), fullPage: true });
  });

  await step('the registry book filters and pages entries', async () => {
    const { page } = clerk;
    await page.getByRole('link', { name: 'Registru' }).click();
    await page.locator('#book-count').filter({ hasText: 'înregistr' }).waitFor();
    await axe(page, 'registru');
    await page.getByLabel('Număr sau conținut').fill('iluminat');
    await page.getByRole('button', { name: 'Filtrează' }).click();
    await page.locator('#book-count').filter({ hasText: '1 înregistrare' }).waitFor();
    assert.match(await page.locator('#book-table tbody').innerText(), /Iluminat stradal/);
    await page.screenshot({ path: path.join(ARTIFACTS, '04-registru.png'), fullPage: true });
  });

  const head = await signIn(browser, 'sef');
  await step('the head signs both with one PIN after a wrong PIN signed nothing', async () => {
    const { page } = head;
    await page.getByRole('link', { name: 'De aprobat' }).click();
    const rows = page.locator('#inbox-table tbody tr');
    await rows.nth(1).waitFor();
    await axe(page, 'de aprobat');
    await page.getByLabel('Selectează toate').check();
    await page.getByLabel('PIN-ul cheii de semnare').fill('gresit');
    await page.getByRole('button', { name: 'Aprobă și semnează selectatele' }).click();
    await page.locator('#inbox-summary').filter({ hasText: 'nimic semnat' }).waitFor();
    await page.getByLabel('PIN-ul cheii de semnare').fill(KEY_PIN);
    await page.getByRole('button', { name: 'Aprobă și semnează selectatele' }).click();
    await page.locator('#inbox-summary').filter({ hasText: '2 semnate' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#inbox-table tbody tr.done').count(), 2);
    await page.screenshot({ path: path.join(ARTIFACTS, '05-de-aprobat-semnate.png'), fullPage: true });
    for (const id of [1, 2]) {
      const res = await page.request.get(`${BASE_URL}/api/v1/documents/${id}/versions/2/original`);
      assert.equal(res.status(), 200);
      writeFileSync(path.join(ARTIFACTS, `semnat-${id}.pdf`), await res.body());
    }
  });

  await step('the head reads the petitions report and downloads its CSV', async () => {
    const { page } = head;
    await page.getByRole('link', { name: 'Rapoarte' }).click();
    await page.locator('#report-from').fill(`${YEAR}-01-01`);  // labels of hidden views share words
    await page.locator('#report-to').fill(`${YEAR}-12-31`);
    await page.getByRole('button', { name: 'Afișează' }).click();
    await page.locator('#report-title').filter({ hasText: 'Petiții (OG 27/2002)' }).waitFor();
    const social = page.locator('#report-table tbody tr').filter({ hasText: 'Asistență socială' });
    assert.equal(await social.locator('td').nth(1).innerText(), '1', 'one petition received by the department');
    await axe(page, 'rapoarte');
    await page.screenshot({ path: path.join(ARTIFACTS, '06-rapoarte.png'), fullPage: true });
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Descarcă CSV' }).click();
    await (await download).saveAs(path.join(ARTIFACTS, 'raport-petitii.csv'));
  });
} finally {
  await browser.close();
}
finish();
