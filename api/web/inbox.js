// The head's inbox (#/aprobare): what waits for their approval, overdue and
// oldest first as the server orders it; tick one or many and sign them all
// with one PIN (POST /flows/approve-batch, a result per document), or
// reject one with the reason.
'use strict';
(() => {
  const { $, el, api, showError, roDate, bucharest } = window.Dosar;
  let items = [];

  function rowOf(flow) { return $('inbox-table').querySelector(`tr[data-flow="${flow}"]`); }

  async function load() {
    const r = await api('GET', '/flows/inbox');
    items = r.items;
    const body = $('inbox-table').tBodies[0]; body.replaceChildren();
    $('inbox-empty').hidden = items.length > 0;
    $('inbox-batch').hidden = items.length === 0;
    $('inbox-all').checked = false;
    $('inbox-summary').textContent = '';
    for (const item of items) {
      const id = 'inbox-' + item.flow;
      const pick = el('input', { type: 'checkbox', id, name: 'flow', value: String(item.flow) });
      const label = el('label', { for: id }, item.title);
      const why = el('input', { id: id + '-why', autocomplete: 'off', size: '14' });
      const reject = el('button', { type: 'button', className: 'secondary' }, 'Respinge');
      reject.addEventListener('click', async () => {
        const comment = why.value.trim();
        if (!comment) { why.focus(); showError('Scrieți ce trebuie schimbat înainte de a respinge.'); return; }
        try {
          await api('POST', `/flows/${item.flow}/reject`, { comment });
          outcome(item.flow, 'respins, trimis înapoi autorului', true);
        } catch (e) { outcome(item.flow, e.message, false); }
      });
      const who = item.on_behalf_of ? `${item.step} (în numele lui ${item.on_behalf_of})` : item.step;
      const deadline = item.deadline ? roDate(item.deadline) + (item.overdue ? ' — depășit' : '') : '';
      body.append(el('tr', { 'data-flow': String(item.flow), className: item.overdue ? 'overdue' : '' },
                     el('td', {}, pick),
                     el('td', {}, label, ' ', el('a', { href: `#/document/${item.document}` }, `(deschide, v${item.version})`)),
                     el('td', {}, who), el('td', {}, item.author), el('td', {}, bucharest(item.started_at)),
                     el('td', {}, deadline), el('td', { className: 'outcome' }),
                     el('td', {}, el('label', { for: id + '-why', className: 'visually-hidden' }, `Motivul respingerii: ${item.title}`),
                        why, ' ', reject)));
    }
  }

  // Marks a row done (its controls disabled) or says why not.
  function outcome(flow, message, done) {
    const row = rowOf(flow);
    if (!row) return;
    row.querySelector('.outcome').textContent = message;
    row.classList.toggle('done', done);
    row.classList.toggle('failed', !done);
    if (done) for (const c of row.querySelectorAll('input, button')) { c.disabled = true; if (c.type === 'checkbox') c.checked = false; }
  }

  async function signSelected(e) {
    e.preventDefault();
    showError('');
    const chosen = [...document.querySelectorAll('#inbox-table input[name="flow"]:checked')].map((c) => Number(c.value));
    if (!chosen.length) { showError('Bifați cel puțin un document.'); return; }
    const pin = $('inbox-pin');
    const batch = items.filter((i) => chosen.includes(i.flow)).map((i) => ({ flow: i.flow, version: i.version }));
    $('inbox-summary').textContent = `se semnează ${batch.length}…`;
    $('inbox-sign').disabled = true;
    try {
      const r = await api('POST', '/flows/approve-batch', { items: batch, pin: pin.value });
      for (const res of r.results) {
        if (res.ok) outcome(res.flow, res.cryptographic_signature ? `semnat: versiunea ${res.signed_version}` : 'aprobat', true);
        else outcome(res.flow, 'nesemnat: ' + res.error.message, false);
      }
      $('inbox-summary').textContent = `${r.signed} semnate` + (r.failed ? `, ${r.failed} nesemnate (vedeți rândurile)` : '');
    } catch (err) {
      $('inbox-summary').textContent = 'nimic semnat: ' + err.message;
    } finally {
      pin.value = '';
      $('inbox-sign').disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('inbox-batch').addEventListener('submit', signSelected);
    $('inbox-all').addEventListener('change', () => {
      for (const c of document.querySelectorAll('#inbox-table input[name="flow"]:not(:disabled)')) c.checked = $('inbox-all').checked;
    });
  });
  window.Dosar.views.aprobare = load;
})();
