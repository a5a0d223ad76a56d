// The beneficiary's file: choose a purpose, find a person by name or exact
// CNP, open the person, their household and timeline; add a person, link
// and unlink documents, confirm suggested links, rectify with the history
// shown, download the GDPR export. Every read sends the purpose and nothing
// is asked of the server before one is chosen; the server checks, records
// and audits each call as the CLI does, and answers 404 for persons not
// assigned to the caller.
'use strict';

const KINDS = { document: 'document', 'registry-entry': 'înregistrare', flow: 'flux de aprobare' };
const FIELDS = {
  name: 'nume', cnp: 'CNP', id_type: 'tip identificator', id_value: 'identificator', birth_date: 'data nașterii',
  address: 'adresa', contacts: 'contacte', legal_representative: 'reprezentant legal (text)',
  representative_id: 'reprezentant legal (nr. persoană)', representative_role: 'calitatea reprezentantului',
};
const $ = (id) => document.getElementById(id);
let current = null;  // { id, next }
let csrf = '';

function when(utc) {
  const d = new Date(utc);
  return isNaN(d) ? (utc || '') : d.toLocaleString('ro-RO', { timeZone: 'Europe/Bucharest' });
}

async function call(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch('/api/v1' + path, { method, headers, credentials: 'same-origin',
                                              body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (res.status === 401) { $('signed-out').hidden = false; throw new Error('Autentificați-vă mai întâi.'); }
  if (!res.ok) throw new Error((data && data.error && data.error.message) || ('eroare HTTP ' + res.status));
  return data;
}
const get = (path) => call('GET', path);

function say(message) { $('person-status').textContent = message; $('person-error').textContent = ''; }
function fail(err) { $('person-error').textContent = err.message; }

function button(label, onClick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', () => onClick().catch(fail));
  return b;
}

function row(table, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c); else td.textContent = c || '';
    tr.append(td);
  }
  table.tBodies[0].append(tr);
}

// The purpose chosen, or null after asking for one: no personal data is
// requested without it.
function purpose() {
  const value = $('purpose').value;
  if (!value) {
    $('person-error').textContent = 'Alegeți mai întâi scopul consultării.';
    $('purpose').focus();
    return null;
  }
  return encodeURIComponent(value);
}

async function search(e) {
  e.preventDefault();
  $('person-error').textContent = '';
  $('person-file').hidden = true;
  const why = purpose();
  if (!why) return;
  try {
    const q = encodeURIComponent($('person-query').value.trim());
    const data = await get('/persons?q=' + q + '&purpose=' + why);
    const table = $('person-results');
    table.tBodies[0].replaceChildren();
    for (const p of data.persons)
      row(table, [p.name, p.id_type === 'CNP' ? p.cnp : p.id_type, p.birth_date, button('Deschide', () => openPerson(p.id))]);
    table.hidden = data.persons.length === 0;
    if (data.persons.length === 0) $('person-error').textContent = 'Nicio persoană la care aveți acces.';
  } catch (err) { fail(err); }
}

async function loadTimeline(more) {
  const why = purpose();
  if (!why) return;
  let path = '/persons/' + current.id + '/timeline?purpose=' + why;
  if (more && current.next) path += '&' + new URLSearchParams(current.next);
  const data = await get(path);
  const table = $('pf-timeline');
  if (!more) table.tBodies[0].replaceChildren();
  for (const item of data.items) {
    const label = (KINDS[item.kind] || item.kind) + ' ' + item.id;
    const unlink = button('Dezleagă', async () => {
      await call('DELETE', `/persons/${current.id}/links/${item.kind}/${item.id}`);
      say(`${label} nu mai este legat de persoană.`);
      await openPerson(current.id);
    }, 'secondary');
    unlink.setAttribute('aria-label', 'Dezleagă ' + label);
    row(table, [when(item.date), label, item.title, unlink]);
  }
  current.next = data.next;
  $('pf-more').hidden = !data.next;
}

function personRef(r) { return `${r.name} (persoana ${r.person}${r.role ? ', ' + r.role : ''})`; }

async function openPerson(id) {
  $('person-error').textContent = '';
  const why = purpose();
  if (!why) return;
  const p = await get('/persons/' + id + '?purpose=' + why);
  current = { id, next: null };
  $('pf-name').textContent = p.name;
  $('pf-id').textContent = p.id_type + ' ' + p.id_value;
  $('pf-birth').textContent = p.birth_date;
  $('pf-address').textContent = p.address;
  $('pf-contacts').textContent = p.contacts;
  $('pf-representative').textContent =
    [p.representative ? personRef(p.representative) : '', p.legal_representative].filter(Boolean).join('; ');
  $('pf-represents').textContent = p.represents.map(personRef).join('; ');
  $('pf-export').href = `/api/v1/persons/${id}/export?purpose=${why}`;
  $('pf-export').setAttribute('download', `persoana-${id}.tar`);
  const household = $('pf-household');
  household.replaceChildren();
  for (const h of p.households) {
    for (const m of h.members) {
      const li = document.createElement('li');
      li.textContent = h.label + ': ' + m.name + ' (' + m.role + ')';
      household.append(li);
    }
  }
  const history = $('pf-history');
  history.tBodies[0].replaceChildren();
  for (const c of p.history.slice().reverse())
    row(history, [when(c.at), FIELDS[c.field] || c.field, c.old, c.new, c.reason, c.actor]);
  await loadTimeline(false);
  const report = await get('/persons/' + id + '/access-report');
  const access = $('pf-access');
  access.tBodies[0].replaceChildren();
  for (const a of report.accesses.slice(-50).reverse()) row(access, [when(a.at), a.user, a.purpose, a.what]);
  $('person-file').hidden = false;
}

async function loadSuggestions() {
  const data = await get('/persons/suggestions');
  const table = $('suggestions');
  table.tBodies[0].replaceChildren();
  for (const s of data.suggestions) {
    const decide = document.createElement('span');
    const resolve = (action, done) => async () => {
      await call('POST', '/persons/suggestions/' + s.id, { action });
      say(done);
      await loadSuggestions();
      if (current && current.id === s.person && action === 'confirm') await openPerson(s.person);
    };
    const confirm = button('Confirmă', resolve('confirm', `Documentul ${s.document} a fost legat de ${s.person_name}.`));
    confirm.setAttribute('aria-label', `Confirmă: documentul ${s.document} privește persoana ${s.person_name}`);
    const dismiss = button('Respinge', resolve('dismiss', 'Sugestia a fost respinsă.'), 'secondary');
    dismiss.setAttribute('aria-label', `Respinge sugestia pentru documentul ${s.document}`);
    decide.append(confirm, ' ', dismiss);
    row(table, [`${s.person_name} (persoana ${s.person})`, `${s.document}: ${s.document_title}`,
                s.reason === 'cnp' ? 'CNP găsit în text' : 'nume găsit în text', decide]);
  }
  if (data.suggestions.length === 0) row(table, ['Nicio sugestie deschisă.', '', '', '']);
}

async function addPerson(e) {
  e.preventDefault();
  const value = (id) => $(id).value.trim() || undefined;
  const representative = value('add-representative');
  const body = {
    name: value('add-name'), cnp: value('add-cnp'), id_type: value('add-id-type'), id_value: value('add-id'),
    birth_date: value('add-birth'), address: value('add-address'), contacts: value('add-contacts'),
    legal_representative: value('add-legal'), representative_role: value('add-role'),
    representative_id: representative ? Number(representative) : undefined, department: value('add-department'),
  };
  try {
    const p = await call('POST', '/persons', body);
    $('add-form').reset();
    say(`Persoana ${p.id} (${p.name}) a fost adăugată; sunteți responsabilul de caz. Alegeți scopul pentru a-i deschide dosarul.`);
    if ($('purpose').value) await openPerson(p.id);
  } catch (err) { fail(err); }
}

async function link(e) {
  e.preventDefault();
  const kind = $('link-kind').value, id = Number($('link-id').value);
  try {
    await call('POST', `/persons/${current.id}/links`, { kind, id });
    $('link-id').value = '';
    say(`${KINDS[kind]} ${id} a fost legat de persoană.`);
    await openPerson(current.id);
  } catch (err) { fail(err); }
}

async function rectify(e) {
  e.preventDefault();
  const field = $('rectify-field').value;
  try {
    await call('POST', `/persons/${current.id}/rectify`,
               { values: { [field]: $('rectify-value').value.trim() }, reason: $('rectify-reason').value.trim() });
    $('rectify-value').value = ''; $('rectify-reason').value = '';
    say(`Câmpul „${FIELDS[field]}” a fost rectificat; valoarea veche rămâne în istoric.`);
    await openPerson(current.id);
  } catch (err) { fail(err); }
}

async function start() {
  $('person-search').addEventListener('submit', search);
  $('add-form').addEventListener('submit', addPerson);
  $('link-form').addEventListener('submit', link);
  $('rectify-form').addEventListener('submit', rectify);
  $('pf-more').addEventListener('click', () => loadTimeline(true).catch(fail));
  // The export is a plain download, with the purpose chosen when it is clicked.
  $('pf-export').addEventListener('click', (e) => {
    const why = purpose();
    if (!why || !current) { e.preventDefault(); return; }
    $('pf-export').href = `/api/v1/persons/${current.id}/export?purpose=${why}`;
  });
  try {
    const me = await get('/session');
    csrf = me.csrf_token;
    const data = await get('/persons/purposes');
    for (const p of data.purposes) {
      const option = document.createElement('option');
      option.value = p;
      option.textContent = p;
      $('purpose').append(option);
    }
    await loadSuggestions();
  } catch (err) { fail(err); }
}

document.addEventListener('DOMContentLoaded', start);
