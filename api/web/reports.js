// The legal reports (#/rapoarte): petitions (OG 27/2002) and the registry
// over a period, Law 544/2001 over a year — the same figures, CSV and PDF
// as `dosar report …` (GET /reports/{petitii|l544|registry}).
'use strict';
(() => {
  const { $, el, api } = window.Dosar;

  function query() {
    const kind = $('report-kind').value;
    const p = kind === 'l544' ? new URLSearchParams({ year: $('report-year').value })
                              : new URLSearchParams({ from: $('report-from').value, to: $('report-to').value });
    return { kind, p };
  }

  function pickPeriod() {
    const yearly = $('report-kind').value === 'l544';
    for (const n of document.querySelectorAll('#report-form .period')) { n.hidden = yearly; if (n.tagName === 'INPUT') n.required = !yearly; }
    for (const n of document.querySelectorAll('#report-form .year')) { n.hidden = !yearly; if (n.tagName === 'INPUT') n.required = yearly; }
  }

  async function show(e) {
    if (e) e.preventDefault();
    const { kind, p } = query();
    const r = await api('GET', `/reports/${kind}?${p}`);
    $('report-title').textContent = r.title;
    $('report-csv').href = `/api/v1/reports/${kind}?${p}&format=csv`;
    $('report-pdf').href = `/api/v1/reports/${kind}?${p}&format=pdf`;
    // The printable lines, as on paper: "# " starts a section.
    const body = $('report-body'); body.replaceChildren();
    let list = null;
    for (const line of r.lines) {
      if (line.startsWith('# ')) { body.append(el('h3', {}, line.slice(2))); list = el('ul', {}); body.append(list); continue; }
      if (!list) { list = el('ul', {}); body.append(list); }
      list.append(el('li', {}, line));
    }
    $('report-result').hidden = false;
  }

  async function load() {
    const year = new Date().getFullYear();
    if (!$('report-from').value) $('report-from').value = `${year}-01-01`;
    if (!$('report-to').value) $('report-to').value = new Date().toISOString().slice(0, 10);
    if (!$('report-year').value) $('report-year').value = String(year);
    pickPeriod();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('report-kind').addEventListener('change', pickPeriod);
    $('report-form').addEventListener('submit', (e) => show(e).catch((err) => window.Dosar.showError(err.message)));
  });
  window.Dosar.views.rapoarte = load;
})();
