// The registry book (#/registru): entries filtered by register, period,
// status and text, a page at a time from the server
// (GET /registry?…&page=), each linking to its documents; printable.
'use strict';
(() => {
  const { $, el, api, roDate, bucharest } = window.Dosar;
  const STATUS = { 'to-verify': 'de verificat', registered: 'înregistrat', assigned: 'repartizat', 'in-progress': 'în lucru',
                   answered: 'răspuns', closed: 'închis', archived: 'arhivat', annulled: 'anulat' };
  const CHANNEL = { ghiseu: 'ghișeu', posta: 'poștă', email: 'e-mail', online: 'online' };
  const PER_PAGE = 50;

  // The filters live in the URL (#/registru/register=…&page=2), so that a
  // page can be bookmarked, printed and gone back to.
  function fromForm(page) {
    const p = new URLSearchParams({ register: $('book-register').value, page: String(page) });
    for (const [id, name] of [['book-from', 'from'], ['book-to', 'to'], ['book-status', 'status'], ['book-q', 'q']])
      if ($(id).value.trim()) p.set(name, $(id).value.trim());
    return p;
  }

  async function load(arg) {
    const p = new URLSearchParams(arg || 'register=intrare&page=1');
    $('book-register').value = p.get('register') || '';
    $('book-from').value = p.get('from') || '';
    $('book-to').value = p.get('to') || '';
    $('book-status').value = p.get('status') || '';
    $('book-q').value = p.get('q') || '';
    const page = Math.max(1, Number(p.get('page') || 1));
    p.set('page', String(page)); p.set('per_page', String(PER_PAGE));
    if (!p.has('register')) p.set('register', '');
    const r = await api('GET', '/registry?' + p);
    $('book-count').textContent = r.total === 1 ? '1 înregistrare' : `${r.total} înregistrări`;
    const body = $('book-table').tBodies[0]; body.replaceChildren();
    for (const e of r.entries) {
      const docs = el('td', {});
      for (const id of e.documents || []) docs.append(el('a', { href: `#/document/${id}` }, `doc. ${id}`), ' ');
      body.append(el('tr', { className: e.overdue ? 'overdue' : '' },
                     el('td', {}, `${e.register} ${e.number}`), el('td', {}, bucharest(e.registered_at)),
                     el('td', {}, CHANNEL[e.channel] || e.channel), el('td', {}, e.kind), el('td', {}, e.subject),
                     el('td', {}, e.department), el('td', {}, roDate(e.deadline) + (e.overdue ? ' — depășit' : '')),
                     el('td', {}, STATUS[e.status] || e.status), docs));
    }
    const pager = $('book-pager'); pager.replaceChildren();
    const pages = Math.max(1, Math.ceil(r.total / PER_PAGE));
    const link = (n, label) => el('a', { href: '#/registru/' + fromForm(n) }, label);
    if (page > 1) pager.append(link(page - 1, '← Pagina anterioară'), ' ');
    pager.append(el('span', {}, `pagina ${page} din ${pages}`));
    if (page < pages) pager.append(' ', link(page + 1, 'Pagina următoare →'));
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('book-form').addEventListener('submit', (e) => { e.preventDefault(); location.hash = '#/registru/' + fromForm(1); });
    $('book-print').addEventListener('click', () => window.print());
  });
  window.Dosar.views.registru = load;
})();
