// The public forms with JavaScript: solves the server's proof-of-work
// challenge, sends the form with upload progress and shows the answer, or
// each error next to its field. Without JavaScript the same form posts to
// /formulare/trimite and the server answers with a page.
'use strict';

// SHA-256 of an ASCII string, as bytes (crypto.subtle needs a secure
// context, which a plain-HTTP intranet address is not).
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

function sha256(text) {
  const length = text.length;
  const blocks = ((length + 9 + 63) >> 6) << 6;
  const bytes = new Uint8Array(blocks);
  for (let i = 0; i < length; i++) bytes[i] = text.charCodeAt(i);
  bytes[length] = 0x80;
  const bits = length * 8;
  bytes[blocks - 4] = bits >>> 24; bytes[blocks - 3] = bits >>> 16; bytes[blocks - 2] = bits >>> 8; bytes[blocks - 1] = bits;
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let at = 0; at < blocks; at += 64) {
    for (let i = 0; i < 16; i++)
      w[i] = (bytes[at + 4 * i] << 24) | (bytes[at + 4 * i + 1] << 16) | (bytes[at + 4 * i + 2] << 8) | bytes[at + 4 * i + 3];
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15], b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  return h;
}

function leadingZeroBits(words) {
  let n = 0;
  for (const word of words) {
    if (word === 0) { n += 32; continue; }
    return n + Math.clz32(word);
  }
  return n;
}

// Tries nonces 0, 1, 2… in slices, so that the page stays responsive.
async function solve(challenge, bits) {
  for (let nonce = 0; ; ) {
    for (const end = nonce + 20000; nonce < end; nonce++)
      if (leadingZeroBits(sha256(challenge + ':' + nonce)) >= bits) return String(nonce);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const $ = (id) => document.getElementById(id);

function clearErrors(form) {
  $('form-error').textContent = '';
  for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

// The error goes next to its field: the subject names the field, or a file
// ("files", "file name '…'", or the name of one of the files chosen).
function showError(form, error) {
  const subject = String(error.subject || '');
  const chosen = form.elements.files ? [...form.elements.files.files].map((f) => f.name) : [];
  const aboutFiles = subject === 'files' || subject.startsWith('file name') || chosen.includes(subject);
  const field = aboutFiles ? 'files' : ($('e-' + subject) ? subject : '');
  const message = aboutFiles && subject !== 'files' ? subject + ': ' + error.message : error.message;
  if (field && $('e-' + field)) {
    $('e-' + field).textContent = message;
    const input = $('f-' + field);
    if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
  } else {
    $('form-error').textContent = message || 'Cererea nu a putut fi trimisă.';
  }
}

function showAnswer(form, answer) {
  const result = $('result');
  result.replaceChildren();
  const add = (tag, text, props = {}) => {
    const node = document.createElement(tag);
    node.textContent = text;
    Object.assign(node, props);
    return node;
  };
  const list = document.createElement('dl');
  list.append(add('dt', 'Număr de înregistrare'), add('dd', answer.number, { id: 'c-number' }),
              add('dt', 'Termen de răspuns'), add('dd', answer.deadline.split('-').reverse().join('.'), { id: 'c-deadline' }));
  if (answer.access_code) list.append(add('dt', 'Cod de acces'), add('dd', answer.access_code, { id: 'c-code' }));
  result.append(add('h2', 'Cererea a fost înregistrată', { tabIndex: -1 }), list);
  if (answer.receipt_url) {
    result.append(add('p', 'Păstrați numărul și codul de acces: cu ele urmăriți cererea și adăugați documente.'));
    const p = document.createElement('p');
    p.append(add('a', 'Descărcați recipisa (PDF)', { id: 'c-receipt', href: answer.receipt_url }));
    result.append(p);
  } else {
    result.append(add('p', 'Cererea fusese deja înregistrată; codul de acces este pe prima recipisă.'));
  }
  const status = document.createElement('p');
  status.append(add('a', 'Stadiul cererii', { href: '/stare.html' }));
  result.append(status);
  form.hidden = true;
  result.hidden = false;
  result.querySelector('h2').focus();
}

async function send(e) {
  const form = e.target;
  e.preventDefault();
  clearErrors(form);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  const progress = $('upload-progress');
  $('progress').hidden = false;
  progress.value = 0;
  try {
    const challenge = await (await fetch('/api/v1/public/challenge', { credentials: 'omit' })).json();
    if (challenge.challenge) {
      form.elements.pow_challenge.value = challenge.challenge;
      form.elements.pow_nonce.value = await solve(challenge.challenge, challenge.bits);
    }
    const answer = await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/v1/public/submissions');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('Idempotency-Key', form.elements.idempotency_key.value);
      xhr.upload.onprogress = (p) => { if (p.lengthComputable) progress.value = Math.round((100 * p.loaded) / p.total); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        resolve({ status: xhr.status, body });
      };
      xhr.onerror = () => reject(new Error('Legătura cu serverul s-a întrerupt; încercați din nou (cererea nu se va înregistra de două ori).'));
      xhr.send(new FormData(form));
    });
    if (answer.status === 200 || answer.status === 201) return showAnswer(form, answer.body);
    showError(form, (answer.body && answer.body.error) || { message: 'Cererea nu a putut fi trimisă (HTTP ' + answer.status + ').' });
  } catch (err) {
    showError(form, { message: err.message });
  } finally {
    button.disabled = false;
    $('progress').hidden = true;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const form = $('public-form');
  if (form) form.addEventListener('submit', send);
});
