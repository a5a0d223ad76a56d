// The beneficiary's file: choose a purpose, find a person by name or exact
// CNP, open the person, their household and timeline. Every read sends the
// purpose; the server records it and answers 404 for persons not assigned.
'use strict';

const KINDS = { document: 'document', 'registry-entry': 'înregistrare', flow: 'flux de aprobare' };
const $ = (id) => document.getElementById(id);
let current = null;  // { id, next }

function when(utc) {
  const d = new Date(utc);
  return isNaN(d) ? (utc || '') : d.toLocaleString('ro-RO', { timeZone: 'Europe/Bucharest' });
}

async function get(path) {
  const res = await fetch('/api/v1' + path, { credentials: 'same-origin' });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (res.status === 401) { $('signed-out').hidden = false; throw new Error('Autentificați-vă mai întâi.'); }
  if (!res.ok) throw new Error((data && data.error && data.error.message) || ('eroare HTTP ' + res.status));
  return data;
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

function purpose() { return encodeURIComponent($('purpose').value); }

async function search(e) {
  e.preventDefault();
  $('person-error').textContent = '';
  $('person-file').hidden = true;
  try {
    const q = encodeURIComponent($('person-query').value.trim());
    const data = await get('/persons?q=' + q + '&purpose=' + purpose());
    const table = $('person-results');
    table.tBodies[0].replaceChildren();
    for (const p of data.persons) {
      const open = document.createElement('button');
      open.type = 'button';
      open.textContent = 'Deschide';
      open.addEventListener('click', () => openPerson(p.id));
      row(table, [p.name, p.id_type === 'CNP' ? p.cnp : p.id_type, p.birth_date, open]);
    }
    table.hidden = data.persons.length === 0;
    if (data.persons.length === 0) $('person-error').textContent = 'Nicio persoană la care aveți acces.';
  } catch (err) { $('person-error').textContent = err.message; }
}

async function loadTimeline(more) {
  let path = '/persons/' + current.id + '/timeline?purpose=' + purpose();
  if (more && current.next) path += '&' + new URLSearchParams(current.next);
  const data = await get(path);
  const table = $('pf-timeline');
  if (!more) table.tBodies[0].replaceChildren();
  for (const item of data.items) row(table, [when(item.date), (KINDS[item.kind] || item.kind) + ' ' + item.id, item.title]);
  current.next = data.next;
  $('pf-more').hidden = !data.next;
}

async function openPerson(id) {
  $('person-error').textContent = '';
  try {
    const p = await get('/persons/' + id + '?purpose=' + purpose());
    current = { id, next: null };
    $('pf-name').textContent = p.name;
    $('pf-id').textContent = p.id_type + ' ' + p.id_value;
    $('pf-birth').textContent = p.birth_date;
    $('pf-address').textContent = p.address;
    $('pf-contacts').textContent = p.contacts;
    $('pf-representative').textContent = p.legal_representative;
    const household = $('pf-household');
    household.replaceChildren();
    for (const h of p.households) {
      for (const m of h.members) {
        const li = document.createElement('li');
        li.textContent = h.label + ': ' + m.name + ' (' + m.role + ')';
        household.append(li);
      }
    }
    await loadTimeline(false);
    const report = await get('/persons/' + id + '/access-report');
    const access = $('pf-access');
    access.tBodies[0].replaceChildren();
    for (const a of report.accesses.slice(-50).reverse()) row(access, [when(a.at), a.user, a.purpose, a.what]);
    $('person-file').hidden = false;
  } catch (err) { $('person-error').textContent = err.message; }
}

async function start() {
  try {
    const data = await get('/persons/purposes');
    for (const p of data.purposes) {
      const option = document.createElement('option');
      option.value = p;
      option.textContent = p;
      $('purpose').append(option);
    }
  } catch (err) { $('person-error').textContent = err.message; }
  $('person-search').addEventListener('submit', search);
  $('pf-more').addEventListener('click', () => loadTimeline(true).catch((err) => { $('person-error').textContent = err.message; }));
}

document.addEventListener('DOMContentLoaded', start);
