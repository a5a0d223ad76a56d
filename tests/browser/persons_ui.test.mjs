// The beneficiary's file in Debian's Chromium (headless), as
// tests/e2e/persons_ui_test.sh sets up: Ion Popescu (ION_ID) assigned to
// ana, a request naming his CNP (DOC_CERERE, suggested, not linked) and a
// contract (DOC_CONTRACT). ana must choose a purpose before anything is
// asked of the server; she finds Ion, adds his daughter with Ion as legal
// representative, confirms the suggested link, links and unlinks the
// contract, rectifies the address and reads the history, downloads the GDPR
// export. maria (another department) gets 404 for Ion. axe-core checks the
// page in each state. Screenshots and the export go to $ARTIFACTS.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { step, axe, signIn as signInAs, finish } from './ui_lib.mjs';

const { BASE_URL, PASSWORD, ARTIFACTS, ION_ID, DOC_CERERE, DOC_CONTRACT } = process.env;
const PURPOSE = 'anchetă-socială';

const signIn = (browser, user) =>
  signInAs(browser, BASE_URL, user, PASSWORD, { bypassCSP: true, acceptDownloads: true });
const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const { page } = await signIn(browser, 'ana');
  const personRequests = [];
  page.on('request', (r) => { if (/\/api\/v1\/persons(\?|\/\d)/.test(r.url())) personRequests.push(r.url()); });
  await page.goto(BASE_URL + '/persoane.html');
  await page.locator('#purpose option', { hasText: PURPOSE }).waitFor({ state: 'attached' });

  await step('nothing about a person is asked for before a purpose is chosen', async () => {
    await axe(page, 'beneficiari: pagina goală');
    await page.getByLabel('Nume sau CNP (toate cele 13 cifre)').fill('popescu');
    await page.getByRole('button', { name: 'Caută' }).click();
    await page.waitForTimeout(300);
    assert.deepEqual(personRequests, [], 'a request was sent without a purpose');
    assert.equal(await page.locator('#person-results').isHidden(), true);
  });

  await step('with a purpose, the person is found by name and opened', async () => {
    await page.getByLabel('Scopul consultării').selectOption(PURPOSE);
    await page.getByRole('button', { name: 'Caută' }).click();
    const row = page.locator('#person-results tbody tr', { hasText: 'Ion Popescu' });
    await row.waitFor();
    assert.match(await row.innerText(), /1\*{8}0016/, 'the list masks the CNP');
    await row.getByRole('button', { name: 'Deschide' }).click();
    await page.locator('#pf-name', { hasText: 'Ion Popescu' }).waitFor();
    assert.equal(await page.locator('#pf-id').innerText(), 'CNP 1800101400016');
    assert.ok(personRequests.every((u) => u.includes('purpose=') || u.includes('/access-report')),
              `a read without its purpose: ${personRequests.join(' ')}`);
    await axe(page, 'beneficiari: dosarul persoanei');
    await shot(page, '01-dosarul-persoanei.png');
  });

  await step('a child is added with the parent as legal representative, shown on both', async () => {
    await page.getByLabel('Nume și prenume').fill('Maria Popescu');
    await page.getByLabel('CNP', { exact: true }).fill('5000229520034');
    await page.getByLabel('Reprezentant legal din arhivă (nr. persoană)').fill(ION_ID);
    await page.getByLabel('Calitatea reprezentantului').fill('părinte');
    await page.getByRole('button', { name: 'Adaugă persoana' }).click();
    await page.locator('#person-status', { hasText: 'Maria Popescu' }).waitFor();
    await page.locator('#pf-name', { hasText: 'Maria Popescu' }).waitFor();
    assert.match(await page.locator('#pf-representative').innerText(), new RegExp(`Ion Popescu \\(persoana ${ION_ID}, părinte\\)`));
    // A bad CNP is refused with its reason, and nothing is added.
    await page.getByLabel('Nume și prenume').fill('Greșit');
    await page.getByLabel('CNP', { exact: true }).fill('1800101400017');
    await page.getByRole('button', { name: 'Adaugă persoana' }).click();
    await page.locator('#person-error', { hasText: 'control digit' }).waitFor();
  });

  await step('the suggested link is confirmed and the document joins the timeline', async () => {
    await page.getByRole('button', { name: 'Deschide' }).first().click();
    await page.locator('#pf-name', { hasText: 'Ion Popescu' }).waitFor();
    const suggestion = page.locator('#suggestions tbody tr', { hasText: 'CNP găsit în text' });
    await suggestion.waitFor();
    await axe(page, 'beneficiari: sugestii');
    await suggestion.getByRole('button', { name: /^Confirmă/ }).click();
    await page.locator('#pf-timeline tbody tr', { hasText: `document ${DOC_CERERE}` }).waitFor();
    await page.locator('#suggestions tbody', { hasText: 'Nicio sugestie deschisă.' }).waitFor();
  });

  await step('a document is linked by its number, then unlinked', async () => {
    await page.getByLabel('Leagă', { exact: true }).selectOption('document');
    await page.getByLabel('cu numărul (id)').fill(DOC_CONTRACT);
    await page.getByRole('button', { name: 'Leagă de persoană' }).click();
    const row = page.locator('#pf-timeline tbody tr', { hasText: `document ${DOC_CONTRACT}` });
    await row.waitFor();
    await shot(page, '02-legaturi.png');
    await row.getByRole('button', { name: `Dezleagă document ${DOC_CONTRACT}` }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('cu numărul (id)').fill('999');
    await page.getByRole('button', { name: 'Leagă de persoană' }).click();
    await page.locator('#person-error', { hasText: 'no such document' }).waitFor();
  });

  await step('a rectification keeps the old value in the history shown', async () => {
    await page.getByLabel('Câmpul').selectOption('address');
    await page.getByLabel('Valoarea corectă').fill('Str. Nouă 2');
    await page.getByLabel('Motivul').fill('cerere de rectificare');
    await page.getByRole('button', { name: 'Rectifică' }).click();
    await page.locator('#pf-address', { hasText: 'Str. Nouă 2' }).waitFor();
    const history = page.locator('#pf-history tbody tr').first();
    const cells = await history.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(1), ['adresa', 'Str. Florilor 1', 'Str. Nouă 2', 'cerere de rectificare', 'ana']);
    // An invalid CNP changes nothing.
    await page.getByLabel('Câmpul').selectOption('cnp');
    await page.getByLabel('Valoarea corectă').fill('1800101400017');
    await page.getByLabel('Motivul').fill('greșeală');
    await page.getByRole('button', { name: 'Rectifică' }).click();
    await page.locator('#person-error', { hasText: 'control digit' }).waitFor();
    assert.equal(await page.locator('#pf-history tbody tr').count(), 1);
    await axe(page, 'beneficiari: rectificare');
    await shot(page, '03-rectificare.png');
  });

  await step('the GDPR export downloads as a tar', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /GDPR art\. 15/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `persoana-${ION_ID}.tar`);
    await download.saveAs(path.join(ARTIFACTS, `persoana-${ION_ID}.tar`));
  });

  await step('a user of another department gets 404 for the same person', async () => {
    const other = await signIn(browser, 'maria');
    const statuses = await other.page.evaluate(async (id) => {
      const read = async (p) => (await fetch('/api/v1/persons/' + id + p)).status;
      return [await read('?purpose=evaluare'), await read('/timeline?purpose=evaluare'),
              await read('/export?purpose=evaluare'), await read('/access-report')];
    }, ION_ID);
    assert.deepEqual(statuses, [404, 404, 404, 404]);
    await other.page.goto(BASE_URL + '/persoane.html');
    await other.page.locator('#purpose option', { hasText: PURPOSE }).waitFor({ state: 'attached' });
    await other.page.getByLabel('Scopul consultării').selectOption(PURPOSE);
    await other.page.getByLabel('Nume sau CNP (toate cele 13 cifre)').fill('popescu');
    await other.page.getByRole('button', { name: 'Caută' }).click();
    await other.page.locator('#person-error', { hasText: 'Nicio persoană la care aveți acces.' }).waitFor();
    await shot(other.page, '04-alt-compartiment.png');
    await other.context.close();
  });
} finally {
  await browser.close();
}
finish();
