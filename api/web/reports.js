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

  const th = (t) => el('th', { scope: 'col' }, t);
  const PETITION_COLUMNS = [['received', 'primite'], ['answered_in_term', 'rezolvate în termen'], ['late', 'cu întârziere'],
                            ['forwarded', 'redirecționate'], ['filed', 'clasate'], ['joined', 'conexate'],
                            ['open', 'în termen, nerezolvate']];

  // The petitions by department, one row each, and the total.
  function petitionTable(r) {
    const row = (name, n, tag) => el('tr', {}, el(tag, tag === 'th' ? { scope: 'row' } : {}, name),
                                     ...PETITION_COLUMNS.map(([k]) => el('td', {}, n[k])));
    return el('table', { id: 'report-table' }, el('caption', {}, 'Petiții pe compartimente'),
              el('thead', {}, el('tr', {}, th('Compartiment'), ...PETITION_COLUMNS.map(([, label]) => th(label)))),
              el('tbody', {}, ...Object.entries(r.by_department).map(([d, n]) => row(d, n, 'td')), row('Total', r.total, 'th')));
  }

  // The printable lines, as on paper: "# " starts a section; "name: N"
  // lines make a two-column table, the others a list.
  function sections(lines) {
    const out = [];
    let rows = null; let items = null;
    for (const line of lines) {
      if (line.startsWith('# ')) {
        rows = null; items = null;
        out.push(el('h3', {}, line.slice(2)));
        continue;
      }
      const m = /^(.*): (\d+)$/.exec(line);
      if (m) {
        if (!rows) { rows = el('tbody'); out.push(el('table', { className: 'report-counts' }, el('thead', {}, el('tr', {}, th('Ce'), th('Număr'))), rows)); }
        rows.append(el('tr', {}, el('td', {}, m[1]), el('td', {}, m[2])));
      } else {
        if (!items) { items = el('ul'); out.push(items); }
        items.append(el('li', {}, line));
      }
    }
    return out;
  }

  async function show(e) {
    if (e) e.preventDefault();
    const { kind, p } = query();
    const r = await api('GET', `/reports/${kind}?${p}`);
    $('report-title').textContent = r.title;
    $('report-csv').href = `/api/v1/reports/${kind}?${p}&format=csv`;
    $('report-pdf').href = `/api/v1/reports/${kind}?${p}&format=pdf`;
    const body = $('report-body'); body.replaceChildren();
    if (kind === 'petitii') body.append(petitionTable(r)); else body.append(...sections(r.lines));
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
