// "Trimite la aprobare" on a document page: starts the approval flow of the
// document's current version on its kind's template, or on one named
// (POST /documents/ID/flow, as `dosar flow start`).
'use strict';
(() => {
  const { $, el, api } = window.Dosar;

  window.Dosar.onDocument.push(async (d) => {
    const box = $('doc-flow'); box.replaceChildren();
    const kind = el('input', { id: 'flow-kind', autocomplete: 'off', placeholder: d.type || '' });
    const said = el('span', { role: 'status' });
    const form = el('form', { id: 'flow-start', className: 'row' },
                    el('label', { for: 'flow-kind' }, 'Circuit de aprobare (implicit: tipul documentului)'), kind,
                    el('button', { type: 'submit' }, 'Trimite la aprobare'), said);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      said.textContent = '';
      try {
        const body = kind.value.trim() ? { kind: kind.value.trim() } : {};
        const f = await api('POST', `/documents/${d.id}/flow`, body);
        const first = f.steps.filter((s) => s.status === 'pending').map((s) => s.label).join(', ');
        said.textContent = `trimis la aprobare (circuitul ${f.kind}); așteaptă: ${first}`;
        form.querySelector('button').disabled = true;
      } catch (err) { said.textContent = 'nu a pornit: ' + err.message; }
    });
    box.append(form);
  });
})();
