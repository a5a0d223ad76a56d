// The web admin (#/administrare/…): users (add, departments, roles,
// disable, password), departments, document kinds and their deadlines,
// approval templates per kind, and the approved nomenclator of a year
// (read only). Every change is made, checked and audited by the server
// (/api/v1/admin/…); this page only gathers and shows.
'use strict';
(() => {
  const { $, el, api, bucharest } = window.Dosar;
  const ROLES = { admin: 'administrator', sef: 'șef de compartiment' };

  const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
  // "sef@Urbanism, admin@*" <-> [{role, department}]
  const rolesText = (roles) => roles.map((g) => `${g.role}@${g.department}`).join(', ');
  function parseRoles(text) {
    return list(text).map((item) => {
      const at = item.indexOf('@');
      if (at <= 0 || at === item.length - 1) throw new Error(`rolul „${item}” trebuie scris ROL@COMPARTIMENT (ex.: sef@Urbanism, admin@*)`);
      return { role: item.slice(0, at), department: item.slice(at + 1) };
    });
  }
  function say(message) { $('admin-status').textContent = message; }
  // A labelled field: [label, input].
  function field(id, label, props = {}) {
    return [el('label', { for: id }, label), el('input', { id, autocomplete: 'off', ...props })];
  }
  function submitting(form, action) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      say('');
      try { await action(); } catch (err) { say('Nu s-a făcut: ' + err.message); }
    });
    return form;
  }

  async function users(body) {
    const r = await api('GET', '/admin/users');
    const table = el('table', { id: 'admin-users' }, el('caption', { className: 'visually-hidden' }, 'Utilizatori'),
      el('thead', {}, el('tr', {}, ...['Utilizator', 'Compartimente', 'Roluri', 'Stare', 'Modifică'].map((h) => el('th', { scope: 'col' }, h)))));
    const rows = el('tbody');
    for (const u of r.users) {
      const id = 'u-' + u.name.replace(/[^A-Za-z0-9_-]/g, '_');
      const deps = el('input', { id: id + '-dep', value: u.departments.join(', '), size: '22' });
      const roles = el('input', { id: id + '-roles', value: rolesText(u.roles), size: '18' });
      const all = el('input', { id: id + '-all', type: 'checkbox' }); all.checked = u.all_departments;
      const restricted = el('input', { id: id + '-restr', type: 'checkbox' }); restricted.checked = u.restricted_access;
      const save = el('button', { type: 'submit' }, 'Salvează');
      const edit = submitting(el('form', { className: 'inline-form' },
        el('label', { for: id + '-dep' }, 'Compartimente'), deps, el('label', { for: id + '-roles' }, 'Roluri'), roles,
        el('label', { className: 'inline' }, all, ' toate compartimentele'),
        el('label', { className: 'inline' }, restricted, ' date personale'), save), async () => {
        await api('PATCH', `/admin/users/${encodeURIComponent(u.name)}`,
                  { departments: list(deps.value), roles: parseRoles(roles.value), all_departments: all.checked,
                    restricted_access: restricted.checked });
        say(`Utilizatorul ${u.name} a fost modificat.`); await users(body);
      });
      const toggle = el('button', { type: 'button', className: 'secondary' }, u.disabled ? 'Reactivează' : 'Dezactivează');
      toggle.addEventListener('click', async () => {
        try {
          await api('PATCH', `/admin/users/${encodeURIComponent(u.name)}`, { disabled: !u.disabled });
          say(`Utilizatorul ${u.name} a fost ${u.disabled ? 'reactivat' : 'dezactivat; sesiunile lui s-au încheiat'}.`);
          await users(body);
        } catch (err) { say('Nu s-a făcut: ' + err.message); }
      });
      const pw = el('input', { id: id + '-pw', type: 'password', autocomplete: 'new-password', size: '12' });
      const reset = submitting(el('form', { className: 'inline-form' }, el('label', { for: id + '-pw' }, 'Parolă nouă'), pw,
                                  el('button', { type: 'submit', className: 'secondary' }, 'Schimbă parola')), async () => {
        await api('POST', `/admin/users/${encodeURIComponent(u.name)}/password`, { password: pw.value });
        pw.value = ''; say(`Parola lui ${u.name} a fost schimbată.`);
      });
      const state = (u.disabled ? 'dezactivat' : (u.locked_until ? `blocat până la ${bucharest(u.locked_until)}` : 'activ')) +
                    (u.ldap ? ' (parola din LDAP)' : '');
      rows.append(el('tr', { 'data-user': u.name },
                     el('td', {}, el('strong', {}, u.name), el('br'), u.display_name),
                     el('td', {}, u.all_departments ? 'toate' : u.departments.join(', ')),
                     el('td', {}, u.roles.map((g) => `${ROLES[g.role] || g.role} (${g.department === '*' ? 'toate' : g.department})`).join(', ')),
                     el('td', {}, state, el('br'), toggle), el('td', {}, edit, ...(u.ldap ? [] : [reset]))));
    }
    table.append(rows);
    const add = submitting(el('form', { id: 'admin-add-user', className: 'grid' },
      ...field('new-name', 'Utilizator (fără spații)', { required: '' }),
      ...field('new-display', 'Nume complet'),
      ...field('new-departments', 'Compartimente (separate prin virgulă)'),
      ...field('new-roles', 'Roluri (ex.: sef@Urbanism, admin@*)'),
      el('label', { for: 'new-restricted' }, 'Vede date personale'), el('input', { id: 'new-restricted', type: 'checkbox' }),
      el('label', { for: 'new-ldap' }, 'Se autentifică prin LDAP (parola din director)'), el('input', { id: 'new-ldap', type: 'checkbox' }),
      ...field('new-password', 'Parola inițială', { type: 'password', autocomplete: 'new-password', required: '' }),
      el('span'), el('button', { type: 'submit' }, 'Adaugă utilizatorul')), async () => {
      const name = $('new-name').value.trim();
      const ldap = $('new-ldap').checked;
      const user = { name, display_name: $('new-display').value.trim(),
        departments: list($('new-departments').value), roles: parseRoles($('new-roles').value),
        restricted_access: $('new-restricted').checked };
      if (ldap) user.ldap = true; else user.password = $('new-password').value;
      await api('POST', '/admin/users', user);
      say(`Utilizatorul ${name} a fost adăugat; se poate autentifica` + (ldap ? ' cu parola din LDAP.' : '.'));
      await users(body);
    });
    // An LDAP account has no password here.
    const ldapBox = add.querySelector('#new-ldap'), password = add.querySelector('#new-password');
    ldapBox.addEventListener('change', () => {
      password.disabled = ldapBox.checked;
      password.required = !ldapBox.checked;
      if (ldapBox.checked) password.value = '';
    });
    body.replaceChildren(el('h2', {}, 'Utilizatori'), table, el('h2', {}, 'Utilizator nou'), add);
  }

  async function departments(body) {
    const r = await api('GET', '/admin/departments');
    const add = submitting(el('form', { className: 'row' }, ...field('new-department', 'Compartiment nou', { required: '' }),
                              el('button', { type: 'submit' }, 'Adaugă')), async () => {
      await api('POST', '/admin/departments', { name: $('new-department').value.trim() });
      say('Compartimentul a fost adăugat.'); await departments(body);
    });
    body.replaceChildren(el('h2', {}, 'Compartimente'), el('ul', { id: 'admin-departments' }, ...r.departments.map((d) => el('li', {}, d))), add);
  }

  async function kinds(body) {
    const r = await api('GET', '/admin/kinds');
    const rows = el('tbody');
    for (const k of r.kinds) {
      const id = 'k-' + k.name.replace(/[^A-Za-z0-9_-]/g, '_');
      const days = el('input', { id: id + '-days', type: 'number', min: '1', max: '3650', value: String(k.deadline_days), size: '5' });
      const form = submitting(el('form', { className: 'inline-form' }, el('label', { for: id + '-days', className: 'visually-hidden' }, `Termen pentru ${k.label}`),
                                 days, el('button', { type: 'submit' }, 'Salvează')), async () => {
        await api('PUT', `/admin/kinds/${encodeURIComponent(k.name)}`, { deadline_days: Number(days.value) });
        say(`Termenul pentru ${k.label} a fost schimbat; înregistrările existente își păstrează termenul.`); await kinds(body);
      });
      rows.append(el('tr', {}, el('td', {}, k.name), el('td', {}, k.label), el('td', {}, form), el('td', {}, k.legal_basis)));
    }
    const add = submitting(el('form', { className: 'grid' }, ...field('kind-name', 'Cod (un cuvânt)', { required: '' }),
      ...field('kind-label', 'Denumire'), ...field('kind-days', 'Termen (zile calendaristice)', { type: 'number', min: '1', max: '3650', required: '' }),
      ...field('kind-basis', 'Temei legal'), el('span'), el('button', { type: 'submit' }, 'Adaugă categoria')), async () => {
      await api('PUT', `/admin/kinds/${encodeURIComponent($('kind-name').value.trim())}`,
                { label: $('kind-label').value.trim() || undefined, deadline_days: Number($('kind-days').value),
                  legal_basis: $('kind-basis').value.trim() || undefined });
      say('Categoria a fost salvată.'); await kinds(body);
    });
    body.replaceChildren(el('h2', {}, 'Categorii de documente și termene'),
      el('table', { id: 'admin-kinds' }, el('caption', { className: 'visually-hidden' }, 'Categorii'),
         el('thead', {}, el('tr', {}, ...['Cod', 'Denumire', 'Termen (zile)', 'Temei legal'].map((h) => el('th', { scope: 'col' }, h)))), rows),
      el('h2', {}, 'Categorie nouă'), add);
  }

  // Approval templates as a form: one row per step; steps with the same
  // stage (position) run in parallel. Who approves: named users, or a role
  // in a department ("*": any). The server checks everything and names the
  // field at fault ("steps[2].users"), which is then marked and focused.
  const describeStep = (s) => (s.users.length ? s.users.join(', ')
    : `${ROLES[s.role] || s.role} din ${s.department === '*' ? 'orice compartiment' : s.department}`);
  function describeTemplate(steps) {
    const byPosition = new Map();
    for (const s of steps) byPosition.set(s.position, [...(byPosition.get(s.position) || []), s]);
    return el('ol', {}, ...[...byPosition.keys()].sort((a, b) => a - b).map((p) => el('li', {},
      byPosition.get(p).map((s) => `${s.label}: ${describeStep(s)}`).join(' — în paralel cu — '))));
  }

  let stepSerial = 0;
  function stepRow(step, lists) {
    const n = ++stepSerial;
    const id = (part) => `tpl-${n}-${part}`;
    const hidden = (part, text) => el('label', { for: id(part), className: 'visually-hidden' }, text);
    const position = el('input', { id: id('position'), type: 'number', min: '1', max: '100', required: '', size: '3',
                                   value: String(step.position), 'data-field': 'position' });
    const label = el('input', { id: id('label'), value: step.label || '', required: '', size: '12', 'data-field': 'label' });
    const how = el('select', { id: id('how') }, el('option', { value: 'users' }, 'utilizatori anume'),
                   el('option', { value: 'role' }, 'un rol dintr-un compartiment'));
    how.value = step.role ? 'role' : 'users';
    const users = el('input', { id: id('users'), value: (step.users || []).join(', '), size: '16', list: 'tpl-user-names',
                                'data-field': 'users', placeholder: 'ana, ion' });
    const role = el('input', { id: id('role'), value: step.role || '', size: '8', list: 'tpl-role-names', 'data-field': 'role' });
    const department = el('select', { id: id('department'), 'data-field': 'department' }, el('option', { value: '' }, '—'),
                          el('option', { value: '*' }, 'orice compartiment'), ...lists.departments.map((d) => el('option', { value: d }, d)));
    department.value = step.department || '';
    const remove = el('button', { type: 'button', className: 'secondary' }, 'Elimină');
    const row = el('tr', { className: 'tpl-step' },
      el('td', {}, hidden('position', 'Etapa'), position), el('td', {}, hidden('label', 'Denumirea pasului'), label),
      el('td', {}, hidden('how', 'Cine aprobă'), how), el('td', {}, hidden('users', 'Utilizatori (separați prin virgulă)'), users),
      el('td', {}, hidden('role', 'Rol'), role), el('td', {}, hidden('department', 'Compartiment'), department), el('td', {}, remove));
    const sync = () => { users.disabled = how.value !== 'users'; role.disabled = department.disabled = how.value !== 'role'; };
    how.addEventListener('change', sync); sync();
    remove.addEventListener('click', () => {
      const body = row.parentElement; row.remove();
      const first = body && body.querySelector('input'); if (first) first.focus();
    });
    row.read = () => (how.value === 'users'
      ? { position: Number(position.value), label: label.value.trim(), users: list(users.value) }
      : { position: Number(position.value), label: label.value.trim(), role: role.value.trim(), department: department.value });
    return row;
  }

  async function templates(body) {
    const [r, kindsList, deps, usersList] = await Promise.all([api('GET', '/admin/templates'), api('GET', '/admin/kinds'),
      api('GET', '/admin/departments'), api('GET', '/admin/users')]);
    const roles = new Set(['sef', 'admin']);
    for (const u of usersList.users) for (const g of u.roles) roles.add(g.role);
    const lists = { departments: deps.departments };
    const rows = el('tbody', { id: 'tpl-rows' });
    const kind = el('input', { id: 'tpl-kind', required: '', list: 'tpl-kind-names', autocomplete: 'off' });
    const fill = (steps) => { rows.replaceChildren(...steps.map((s) => stepRow(s, lists))); };
    const lastPosition = () => Math.max(0, ...[...rows.children].map((tr) => tr.read().position || 0));
    const addStep = el('button', { type: 'button', className: 'secondary', id: 'tpl-add' }, 'Adaugă o etapă');
    addStep.addEventListener('click', () => { const tr = stepRow({ position: lastPosition() + 1 }, lists); rows.append(tr); tr.querySelector('[data-field=label]').focus(); });
    const addParallel = el('button', { type: 'button', className: 'secondary', id: 'tpl-add-parallel' }, 'Adaugă un pas în paralel cu ultima etapă');
    addParallel.addEventListener('click', () => { const tr = stepRow({ position: Math.max(1, lastPosition()) }, lists); rows.append(tr); tr.querySelector('[data-field=label]').focus(); });
    const form = submitting(el('form', { id: 'tpl-form' },
      el('div', { className: 'grid' }, el('label', { for: 'tpl-kind' }, 'Categoria documentului'), kind),
      el('datalist', { id: 'tpl-kind-names' }, ...kindsList.kinds.map((k) => el('option', { value: k.name }, k.label))),
      el('datalist', { id: 'tpl-user-names' }, ...usersList.users.map((u) => el('option', { value: u.name }, u.display_name))),
      el('datalist', { id: 'tpl-role-names' }, ...[...roles].map((g) => el('option', { value: g }, ROLES[g] || g))),
      el('table', { id: 'tpl-steps' }, el('caption', {}, 'Pașii circuitului (aceeași etapă = aprobare în paralel)'),
         el('thead', {}, el('tr', {}, ...['Etapa', 'Denumirea pasului', 'Cine aprobă', 'Utilizatori', 'Rol', 'Compartiment', ''].map((h) => el('th', { scope: 'col' }, h)))),
         rows),
      el('p', { className: 'row' }, addStep, addParallel), el('button', { type: 'submit' }, 'Salvează circuitul')), async () => {
      for (const f of rows.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
      const name = kind.value.trim();
      try {
        await api('PUT', `/admin/templates/${encodeURIComponent(name)}`, { steps: [...rows.children].map((tr) => tr.read()) });
      } catch (err) {
        // "steps[2].users": the third row's users field.
        const m = /^steps\[(\d+)\](?:\.(\w+))?$/.exec(err.subject || '');
        const tr = m && rows.children[Number(m[1])];
        if (tr) {
          const target = tr.querySelector(`[data-field=${m[2] || 'label'}]:not([disabled])`) || tr.querySelector('input');
          target.setAttribute('aria-invalid', 'true'); target.focus();
          throw new Error(`pasul ${Number(m[1]) + 1}: ${err.message}`);
        }
        throw err;
      }
      say(`Circuitul pentru ${name} a fost salvat; fluxurile pornite își păstrează pașii.`); await templates(body);
    });
    fill([{ position: 1 }]);
    const items = r.templates.map((t) => {
      const edit = el('button', { type: 'button', className: 'secondary' }, `Modifică circuitul ${t.kind}`);
      edit.addEventListener('click', () => { kind.value = t.kind; fill(t.steps); kind.focus(); });
      return el('li', { 'data-kind': t.kind }, el('strong', {}, t.kind), describeTemplate(t.steps), edit);
    });
    body.replaceChildren(el('h2', {}, 'Circuite de aprobare'), el('ul', { id: 'admin-templates' }, ...items),
                         el('h2', {}, 'Circuit nou sau modificat'), form);
  }

  async function retention(body, year) {
    const form = el('form', { className: 'row' }, ...field('ret-year', 'Anul', { type: 'number', min: '1990', max: '2100', value: String(year), required: '' }),
                    el('button', { type: 'submit' }, 'Arată'));
    form.addEventListener('submit', (e) => { e.preventDefault(); location.hash = '#/administrare/nomenclator-' + $('ret-year').value; });
    const out = [el('h2', {}, 'Nomenclatorul arhivistic aprobat (termene de păstrare)'), form];
    try {
      const r = await api('GET', `/admin/retention?year=${year}`);
      out.push(el('p', {}, `Versiunea ${r.version}, aprobată de ${r.approved_by} la ${bucharest(r.approved_at)} (${r.reference}).`),
        el('table', { id: 'admin-retention' }, el('caption', { className: 'visually-hidden' }, 'Nomenclator'),
           el('thead', {}, el('tr', {}, ...['Compartiment', 'Indicativ', 'Conținut', 'Păstrare', 'Observații'].map((h) => el('th', { scope: 'col' }, h)))),
           el('tbody', {}, ...r.entries.map((e) => el('tr', {}, el('td', {}, e.department), el('td', {}, e.code), el('td', {}, e.title),
                                                     el('td', {}, e.retention_years === 'permanent' ? 'permanent' : `${e.retention_years} ani`),
                                                     el('td', {}, e.remarks))))),
        el('p', { className: 'note' }, 'Nomenclatorul se importă și se aprobă cu „dosar nomenclator import|approve”.'));
    } catch (err) { out.push(el('p', { className: 'note' }, `Pentru ${year}: ${err.message}`)); }
    body.replaceChildren(...out);
  }

  async function load(arg) {
    const section = arg || 'utilizatori';
    for (const a of document.querySelectorAll('#view-administrare .tabs a')) {
      if (a.getAttribute('href').split('/')[2] === section.split('-')[0]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    say('');
    const body = $('admin-body');
    if (section === 'compartimente') return departments(body);
    if (section === 'categorii') return kinds(body);
    if (section === 'circuite') return templates(body);
    if (section.startsWith('nomenclator')) return retention(body, Number(section.split('-')[1]) || new Date().getFullYear());
    return users(body);
  }
  window.Dosar.views.administrare = load;
})();
