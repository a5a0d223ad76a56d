// Dosar's web pages: one page, views chosen by the URL's #fragment, talking
// to /api/v1 with the session cookie and the CSRF token of the session.
'use strict';

const state = { user: null, csrf: null, query: '', offset: 0, limit: 10 };
const $ = (id) => document.getElementById(id);
const FACET_NAMES = { tip: 'Tip document', dep: 'Departament', an: 'An' };
const ACTIONS = {
  'document.create': 'document creat', 'version.add': 'versiune nouă', 'document.read': 'citit (date personale)',
};

function text(value) { return value === null || value === undefined ? '' : String(value); }
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'className') node.className = v; else if (k === 'html') node.innerHTML = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(text(c)));
  return node;
}
function bucharest(utc) {
  if (!utc) return '';
  const d = new Date(utc);
  return isNaN(d) ? utc : d.toLocaleString('ro-RO', { timeZone: 'Europe/Bucharest' });
}
function roDate(iso) { return /^\d{4}-\d\d-\d\d$/.test(iso || '') ? iso.split('-').reverse().join('.') : text(iso); }
function showError(message) { const e = $('error'); e.textContent = message || ''; e.hidden = !message; }

async function api(method, path, body) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf || '';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch('/api/v1' + path, { method, headers, credentials: 'same-origin',
                                              body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (res.status === 401 && path !== '/session') { signedOut(); throw new Error('Sesiunea a expirat; autentificați-vă din nou.'); }
  if (!res.ok) {
    const err = new Error((data && data.error && data.error.message) || ('eroare HTTP ' + res.status));
    if (data && data.error) { err.code = data.error.code; err.subject = data.error.subject; }  // the field at fault
    throw err;
  }
  return data;
}

// Pages in their own files (admin.js, registry_book.js, inbox.js, …)
// register here: Dosar.views[name] = async (arg) => …, shown at #/name/arg;
// Dosar.onDocument.push((document) => …) runs after a document page loads.
const Dosar = { state, $, el, api, show, showError, roDate, bucharest, text, views: {}, onDocument: [],
                hasRole: (...roles) => !!(state.user && (state.user.roles || []).some((g) => roles.includes(g.role))) };
window.Dosar = Dosar;

function show(view) {
  for (const section of document.querySelectorAll('main > section[id^="view-"]')) section.hidden = section.id !== 'view-' + view;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  showError('');
}

function signedIn(me) {
  state.user = me; state.csrf = me.csrf_token;
  $('who-name').textContent = me.display_name || me.user;
  $('nav').hidden = false; $('who').hidden = false;
  // What the roles allow is offered; the server checks it again.
  for (const a of document.querySelectorAll('nav a[data-roles]')) a.hidden = !Dosar.hasRole(...a.dataset.roles.split(' '));
}
function signedOut() {
  state.user = null; state.csrf = null;
  $('nav').hidden = true; $('who').hidden = true;
  location.hash = '#/autentificare';
}

async function route() {
  const hash = location.hash || '#/cautare';
  if (!state.user && hash !== '#/autentificare') { location.hash = '#/autentificare'; return; }
  const [, view, arg] = hash.split('/');
  if (view === 'document' && arg) { show('document'); return loadDocument(arg).catch((e) => showError(e.message)); }
  if (view === 'documente') { show('documente'); return loadDocuments(arg).catch((e) => showError(e.message)); }
  if (view === 'incarcare') { show('incarcare'); return; }
  if (Dosar.views[view]) { show(view); return Dosar.views[view](arg).catch((e) => showError(e.message)); }
  if (view === 'registratura') { show('registratura'); return loadRegistry().catch((e) => showError(e.message)); }
  if (view === 'autentificare') { show('autentificare'); $('username').focus(); return; }
  show('cautare');
  const params = new URLSearchParams(arg || '');
  const q = params.get('q') || '';
  $('q').value = q;
  if (q) runSearch(q, Number(params.get('offset') || 0)); else $('q').focus();
}

async function runSearch(q, offset) {
  state.query = q; state.offset = offset;
  const all = $('all-versions').checked ? '&all_versions=true' : '';
  try {
    const r = await api('GET', `/search?q=${encodeURIComponent(q)}&offset=${offset}&limit=${state.limit}${all}`);
    renderResults(r);
  } catch (e) { showError(e.message); }
}

function renderResults(r) {
  const notes = [];
  if (r.suggestion) notes.push(`Ați vrut să spuneți: ${r.suggestion}?`);
  if (r.relaxed) notes.push('Niciun document nu conține toate cuvintele; iată cele care conțin cele mai multe.');
  $('search-note').textContent = notes.join(' ');
  // Above some tens of thousands of matches the counts are estimates.
  const about = r.exact === false ? 'aproximativ ' : '';
  $('search-count').textContent = r.total === 1 ? '1 document' : `${about}${r.total} documente`;
  const list = $('results'); list.replaceChildren();
  for (const h of r.hits) {
    const title = el('a', { href: `#/document/${h.id}` }, h.title);
    const meta = [h.registry_number ? `nr. ${h.registry_number}` : '', h.type, h.department, h.date]
      .filter(Boolean).join(' · ');
    // Snippets arrive HTML-escaped by the server, with <mark> around the matched words.
    list.append(el('li', {}, el('h2', { className: 'hit-title' }, title), el('div', { className: 'meta' }, meta),
                   el('p', { className: 'snippet', html: h.snippet })));
  }
  const facets = $('facets'); facets.replaceChildren();
  for (const [name, values] of Object.entries(r.facets || {})) {
    if (!values.length) continue;
    facets.append(el('h2', {}, FACET_NAMES[name] || name));
    for (const v of values) {
      const b = el('button', { type: 'button' }, v.value + ' ', el('span', {}, `(${r.exact === false ? '≈' : ''}${v.count})`));
      b.addEventListener('click', () => {
        const term = name === 'an' ? `data:${v.value}..${v.value}` : `${name}:"${v.value}"`;
        location.hash = '#/cautare/' + new URLSearchParams({ q: `${state.query} ${term}` });
      });
      facets.append(b);
    }
  }
  const pager = $('pager'); pager.replaceChildren();
  const page = (offset, label) => {
    const b = el('button', { type: 'button' }, label);
    b.addEventListener('click', () => { location.hash = '#/cautare/' + new URLSearchParams({ q: state.query, offset }); });
    pager.append(b);
  };
  if (state.offset > 0) page(Math.max(0, state.offset - state.limit), '← Înapoi');
  if (state.offset + state.limit < r.total) page(state.offset + state.limit, 'Următoarele →');
}

const STATUS = { 'to-verify': 'de verificat', registered: 'înregistrat', assigned: 'repartizat', 'in-progress': 'în lucru', answered: 'răspuns',
                 closed: 'închis', archived: 'arhivat', annulled: 'anulat' };
let lastRegistered = null;

// Submissions from the public forms wait here until a clerk accepts (and
// routes) them or annuls them as spam. Everything the citizen typed is shown
// as text (textContent), never as markup. The list shows CNPs masked;
// "Deschide" opens one submission with its answers in clear, and the
// server records that read in the files of the persons it names.
function fieldList(fields, e) {
  fields.replaceChildren();
  if (e.fields && typeof e.fields === 'object')
    for (const [name, value] of Object.entries(e.fields)) fields.append(el('dt', {}, name), el('dd', {}, value));
}

async function loadOnline() {
  const r = await api('GET', '/registry/online');
  const body = $('online-table').tBodies[0]; body.replaceChildren();
  $('online-empty').hidden = r.entries.length > 0;
  for (const e of r.entries) {
    const fields = el('dl', { className: 'fields' });
    fieldList(fields, e);
    const open = el('button', { type: 'button', className: 'secondary' }, 'Deschide');
    open.addEventListener('click', async () => {
      try { fieldList(fields, await api('GET', '/registry/online/submission?number=' + encodeURIComponent(e.number))); open.hidden = true; }
      catch (err) { showError(err.message); }
    });
    const docs = el('ul', {});
    for (const d of e.documents) docs.append(el('li', {}, el('a', { href: '#/document/' + d.id }, d.title)));
    const id = 'q' + e.id;
    const accept = el('form', {}, el('label', { for: id + '-dep' }, 'Departament'), el('input', { id: id + '-dep', required: '' }),
                      el('button', { type: 'submit' }, 'Acceptă și repartizează'));
    const reject = el('form', {}, el('label', { for: id + '-why' }, 'Motiv'), el('input', { id: id + '-why', required: '' }),
                      el('button', { type: 'submit', className: 'secondary' }, 'Anulează (spam)'));
    accept.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api('POST', '/registry/online/accept', { number: e.number, department: $(id + '-dep').value.trim() }); await loadRegistry(); }
      catch (err) { showError(err.message); }
    });
    reject.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api('POST', '/registry/online/reject', { number: e.number, reason: $(id + '-why').value.trim() }); await loadRegistry(); }
      catch (err) { showError(err.message); }
    });
    body.append(el('tr', { 'data-number': e.number }, el('td', {}, e.number, el('br'), roDate(e.deadline)),
                   el('td', {}, e.form, ' v', e.form_version),
                   el('td', {}, el('strong', {}, typeof e.sender === 'object' ? e.sender.name : 'date personale restricționate'),
                     ' ', typeof e.sender === 'object' ? e.sender.contact : '', el('p', {}, e.subject), fields, open),
                   el('td', {}, docs), el('td', {}, accept, reject)));
  }
}

async function loadRegistry() {
  await loadOnline();
  const r = await api('GET', '/registry?register=intrare');
  const body = $('registry-table').tBodies[0]; body.replaceChildren();
  for (const e of r.entries) {
    body.append(el('tr', {}, el('td', {}, e.number), el('td', {}, e.kind), el('td', {}, e.subject),
                   el('td', {}, e.department), el('td', {}, roDate(e.deadline)), el('td', {}, STATUS[e.status] || e.status)));
  }
}

async function register(e) {
  e.preventDefault();
  const documents = $('reg-documents').value.split(/[\s,;]+/).filter(Boolean).map(Number);
  try {
    const r = await api('POST', '/registry', { register: $('reg-register').value, kind: $('reg-kind').value.trim(),
      channel: $('reg-channel').value, sender: $('reg-sender').value, contact: $('reg-contact').value,
      subject: $('reg-subject').value, documents });
    lastRegistered = { number: r.number, register: r.register, code: r.access_code };
    $('reg-number').textContent = r.number; $('reg-deadline').textContent = roDate(r.deadline);
    $('reg-code').textContent = r.access_code; $('registered').hidden = false;
    $('registry-form').reset();
    await loadRegistry();
  } catch (err) { showError(err.message); }
}

async function downloadReceipt() {
  if (!lastRegistered) return;
  const res = await fetch('/api/v1/registry/receipt', { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.csrf || '' }, body: JSON.stringify(lastRegistered) });
  if (!res.ok) { showError('recipisa nu a putut fi generată (HTTP ' + res.status + ')'); return; }
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: `recipisa-${lastRegistered.number.replace(/[^0-9.]/g, '-')}.pdf` });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A page at a time, newest first; the server answers the cursor of the next.
async function loadDocuments(before) {
  const r = await api('GET', '/documents?limit=50' + (before ? `&before=${encodeURIComponent(before)}` : ''));
  const body = $('document-table').tBodies[0]; body.replaceChildren();
  for (const d of r.documents) {
    body.append(el('tr', {}, el('td', {}, d.registry_number || d.id),
                   el('td', {}, el('a', { href: `#/document/${d.id}` }, d.title)),
                   el('td', {}, d.type), el('td', {}, d.department), el('td', {}, bucharest(d.created_at))));
  }
  const pager = $('document-pager'); pager.replaceChildren();
  if (before) pager.append(el('a', { href: '#/documente' }, '← Cele mai noi'), ' ');
  if (r.next) pager.append(el('a', { href: `#/documente/${r.next}` }, 'Mai vechi →'));
}

async function loadDocument(id) {
  const d = await api('GET', `/documents/${encodeURIComponent(id)}`);
  $('doc-title').textContent = d.title;
  const fields = $('doc-fields'); fields.replaceChildren();
  const CONF = { public: 'publică', internal: 'internă', 'restricted-personal-data': 'date personale (restricționată)' };
  for (const [label, value] of [['Număr de înregistrare', d.registry_number], ['Tip', d.type],
    ['Departament', d.department], ['Confidențialitate', CONF[d.confidentiality] || d.confidentiality],
    ['Stare', d.status], ['Creat', bucharest(d.created_at)], ['Versiunea curentă', d.current_version]]) {
    if (value) fields.append(el('dt', {}, label), el('dd', {}, value));
  }
  const versions = $('doc-versions').tBodies[0]; versions.replaceChildren();
  for (const v of d.versions) {
    const base = `/api/v1/documents/${d.id}/versions/${v.number}`;
    const links = el('td', {}, el('a', { href: `${base}/original` }, 'original'));
    for (const b of v.derived) {
      if (b.kind === 'text') links.append(' · ', el('a', { href: `${base}/text` }, 'text'));
      if (b.kind === 'searchable-pdf') links.append(' · ', el('a', { href: `${base}/pdf` }, 'PDF cu text'));
    }
    versions.append(el('tr', {}, el('td', {}, v.number), el('td', {}, v.original_name), el('td', {}, v.mime_type),
                       el('td', {}, v.page_count), el('td', {}, v.author), el('td', {}, bucharest(v.created_at)), links));
  }
  const signatures = $('doc-signatures'); signatures.replaceChildren();
  const VERDICT = { 'TOTAL-PASSED': 'validă', INDETERMINATE: 'nedeterminată', 'TOTAL-FAILED': 'invalidă' };
  const current0 = d.versions.find((v) => v.number === d.current_version);
  if (current0 && current0.mime_type === 'application/pdf') {
    const r = await api('GET', `/documents/${d.id}/versions/${current0.number}/signatures`);
    if (!r.signatures.length) signatures.append(el('li', {}, 'nesemnat'));
    for (const s of r.signatures) {
      signatures.append(el('li', { className: 'signature ' + s.indication },
                           el('strong', {}, `semnătură ${VERDICT[s.indication] || s.indication}`),
                           ` — ${s.signer}, ${bucharest(s.signing_time)}, ${s.level}`,
                           s.indication === 'TOTAL-PASSED' ? '' : ` (${s.subindication}: ${s.message})`));
    }
  }
  const previews = $('doc-pages'); previews.replaceChildren();
  const current = d.versions.find((v) => v.number === d.current_version);
  if (current && current.page_count && /^(application\/pdf|image\/)/.test(current.mime_type)) {
    for (let p = 1; p <= Math.min(current.page_count, 50); ++p) {
      previews.append(el('figure', {}, el('img', { src: `/api/v1/documents/${d.id}/versions/${current.number}/pages/${p}/preview?width=300`,
                                                   alt: `pagina ${p}`, loading: 'lazy', width: '300' }),
                         el('figcaption', {}, `pagina ${p}`)));
    }
  }
  const audit = await api('GET', `/documents/${encodeURIComponent(id)}/audit`);
  const rows = $('doc-audit').tBodies[0]; rows.replaceChildren();
  for (const a of audit.audit) {
    rows.append(el('tr', {}, el('td', {}, bucharest(a.at)), el('td', {}, a.actor), el('td', {}, ACTIONS[a.action] || a.action)));
  }
  for (const hook of Dosar.onDocument) await hook(d);
}

function uploadOne(file) {
  const item = el('li', {}, el('strong', {}, file.name), ' ', el('progress', { max: '100', value: '0' }),
                  el('span', { className: 'stage' }, 'se încarcă…'));
  $('uploads').prepend(item);
  const bar = item.querySelector('progress'); const stage = item.querySelector('.stage');
  const params = new URLSearchParams({ filename: file.name, type: $('up-type').value,
                                       confidentiality: $('up-confidentiality').value });
  if ($('up-department').value) params.set('department', $('up-department').value);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/documents?' + params);
    xhr.setRequestHeader('X-CSRF-Token', state.csrf || '');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.upload.onload = () => { bar.removeAttribute('value'); stage.textContent = 'se recunoaște textul (OCR) și se arhivează…'; };
    xhr.onload = async () => {
      let data = null; try { data = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status === 200 || xhr.status === 201) {
        bar.value = 100;
        const ids = $('reg-documents').value ? $('reg-documents').value.split(/[\s,;]+/).filter(Boolean) : [];
        if (!ids.includes(String(data.id))) { ids.push(String(data.id)); $('reg-documents').value = ids.join(', '); }
        const link = () => el('a', { href: `#/document/${data.id}` }, `documentul ${data.id}`);
        if (data.progress) {
          // Stored; its text is read in the background: follow it to the end.
          item.className = 'stored';
          bar.removeAttribute('value');
          await followProgress(data.progress, (text) => stage.replaceChildren('arhivat: ', link(), ' — ' + text),
                               (ok) => { item.className = ok ? 'done' : 'failed'; });
        } else {
          item.className = 'done';
          stage.replaceChildren(xhr.status === 201 ? 'arhivat: ' : 'exista deja: ', link());
        }
      } else {
        item.className = 'failed';
        stage.textContent = 'refuzat: ' + ((data && data.error && data.error.message) || ('eroare HTTP ' + xhr.status));
      }
      resolve();
    };
    xhr.onerror = () => { item.className = 'failed'; stage.textContent = 'conexiunea s-a întrerupt'; resolve(); };
    xhr.send(file);
  });
}

// Polls a document's progress URL (text extraction and OCR) until it ends,
// saying where it is through `say`; `end(true)` when the text is in.
async function followProgress(url, say, end) {
  for (;;) {
    let p = null;
    try { p = await api('GET', url.replace(/^\/api\/v1/, '')); } catch (e) { say('stare necunoscută: ' + e.message); end(false); return; }
    if (p.state === 'done') { say('textul a fost citit și indexat'); end(true); return; }
    if (p.state === 'failed') { say('textul nu a putut fi citit: ' + (p.error || '')); end(false); return; }
    say(p.state === 'running'
      ? (p.pages_total > 0 ? `se citește textul (OCR): pagina ${Math.min(p.pages_done + 1, p.pages_total)} din ${p.pages_total}` : 'se citește textul…')
      : 'în așteptare pentru citirea textului…');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function uploadAll(files) {
  for (const f of files) await uploadOne(f);  // one at a time: the server OCRs each with all its cores
}

function wire() {
  $('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    $('sign-in-error').textContent = '';
    try {
      const me = await api('POST', '/session', { username: $('username').value, password: $('password').value });
      $('password').value = '';
      signedIn(me);
      location.hash = '#/cautare';
    } catch (err) { $('sign-in-error').textContent = err.message; }
  });
  $('sign-out').addEventListener('click', async () => {
    try { await api('DELETE', '/session'); } catch (_) { /* signed out anyway */ }
    signedOut();
  });
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = '#/cautare/' + new URLSearchParams({ q: $('q').value.trim() });
  });
  const zone = $('drop-zone');
  zone.addEventListener('click', (e) => { if (e.target !== $('files')) $('files').click(); });
  zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('files').click(); } });
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => { e.preventDefault(); zone.classList.remove('over'); uploadAll([...e.dataTransfer.files]); });
  $('files').addEventListener('change', () => { uploadAll([...$('files').files]); $('files').value = ''; });
  $('registry-form').addEventListener('submit', register);
  $('reg-receipt').addEventListener('click', downloadReceipt);
  window.addEventListener('hashchange', route);
}

async function start() {
  wire();
  try { signedIn(await api('GET', '/session')); } catch (_) { /* not signed in */ }
  route();
}
document.addEventListener('DOMContentLoaded', start);
