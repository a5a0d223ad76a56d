// The public status page: number + access code -> the route of a request,
// without sign-in. Shows nothing personal (the server sends nothing personal).
'use strict';

const STATUS = { 'to-verify': 'de verificat', registered: 'înregistrată', assigned: 'repartizată', 'in-progress': 'în lucru', answered: 's-a răspuns',
                 closed: 'închisă', archived: 'arhivată', annulled: 'anulată' };
const EVENTS = { registered: 'înregistrată', verified: 'verificată la registratură', 'documents-added': 'documente adăugate',
                 assigned: 'repartizată', annulled: 'anulată', extended: 'termen prelungit', 'answered-by': 's-a răspuns',
                 joined: 'conexată', 'joined-with': 'conexată cu altă cerere', filed: 'clasată',
                 forwarded: 'redirecționată', 'forward-registered': 'înregistrată la instituția competentă', 'extended-544': 'termen prelungit la 30 de zile', refused: 'refuzată' };
const $ = (id) => document.getElementById(id);

async function check(e) {
  e.preventDefault();
  $('status-error').textContent = '';
  $('status-result').hidden = true;
  const params = new URLSearchParams({ number: $('number').value.trim(), code: $('code').value.trim() });
  const res = await fetch('/api/v1/public/status?' + params, { credentials: 'omit' });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) {
    $('status-error').textContent = res.status === 429
      ? 'Prea multe încercări greșite pentru acest număr; încercați din nou peste 15 minute.'
      : 'Numărul sau codul de acces nu sunt corecte.';
    return;
  }
  $('st-number').textContent = data.number;
  $('st-registered').textContent = data.registered_on;
  $('st-kind').textContent = data.kind;
  $('st-status').textContent = STATUS[data.status] || data.status;
  $('st-deadline').textContent = data.deadline;
  const body = $('st-route').tBodies[0];
  body.replaceChildren();
  for (const step of data.route) {
    const row = document.createElement('tr');
    const event = (EVENTS[step.event] || STATUS[step.status] || step.event) + (step.note ? ': ' + step.note : '');
    for (const text of [step.at, event, step.department]) {
      const cell = document.createElement('td');
      cell.textContent = text || '';
      row.append(cell);
    }
    body.append(row);
  }
  $('status-result').hidden = false;
}

// Documents for the same request: number + access code again, checked
// (and rate-limited) by the server like the lookup.
async function addDocuments(e) {
  e.preventDefault();
  $('add-result').textContent = 'Se trimite…';
  const body = new FormData();
  body.append('code', $('code').value.trim());
  for (const file of $('more-files').files) body.append('files', file, file.name);
  const number = encodeURIComponent($('number').value.trim());
  const res = await fetch('/api/v1/public/submissions/' + number + '/documents', { method: 'POST', body, credentials: 'omit' });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) {
    $('add-result').textContent = (data && data.error && data.error.message) || ('eroare HTTP ' + res.status);
    return;
  }
  $('add-result').textContent = 'Documentele au fost adăugate (' + data.added + ').';
  $('more-files').value = '';
  await check(new Event('submit'));
}

document.addEventListener('DOMContentLoaded', () => {
  $('status-form').addEventListener('submit', check);
  $('add-documents').addEventListener('submit', addDocuments);
});
