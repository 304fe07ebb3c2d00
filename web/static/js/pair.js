// The pairing page (/pair, /pair?code=483920): a tablet trades the code a
// manager created for a device token, keeps it, and opens its screen.

import { api, device, forgetDevice, saveDevice } from './api.js';
import { errorText, t } from './i18n.js';
import { $, initLang, keypad, typeKey } from './ui.js';

const PAGES = { display: '/display', till: '/till', self: '/self' };

// screenURL is where a paired device goes for its role and till.
export function screenURL(d) {
  const q = new URLSearchParams({ till: d.till });
  return `${PAGES[d.role] || '/display'}?${q}`;
}

const input = $('#code');
initLang(renderCurrent);
$('#pad').append(keypad((k) => { input.value = typeKey(input.value, k, 6); }, { withThousands: false }));
$('#pair-form').addEventListener('submit', (e) => {
  e.preventDefault();
  claim();
});
$('#forget').addEventListener('click', () => {
  forgetDevice();
  renderCurrent();
});
renderCurrent();

const preset = new URLSearchParams(location.search).get('code');
if (preset) {
  input.value = preset.replace(/\D/g, '').slice(0, 6);
  if (input.value.length === 6) claim(); // scanned from the manager's QR: nothing to type
} else {
  input.focus();
}

function status(kind, text) {
  const el = $('#status');
  el.hidden = !text;
  el.className = `msg msg-${kind}`;
  el.textContent = text;
}

function renderCurrent() {
  const d = device();
  $('#current').hidden = !d;
  if (!d) return;
  $('#current-text').textContent = t('pairpage.current', { role: t(`role.${d.role}`), till: d.till });
  $('#current-open').href = screenURL(d);
}

async function claim() {
  const code = input.value.replace(/\D/g, '');
  if (code.length !== 6) {
    status('error', t('err.bad_code'));
    return;
  }
  $('#submit').disabled = true;
  try {
    const res = await api('/pair/claim', { method: 'POST', body: { code } });
    const d = { token: res.token, till: res.till, role: res.role, device_id: res.device_id };
    saveDevice(d);
    status('ok', t('pairpage.ok', { role: t(`role.${d.role}`), till: d.till }));
    setTimeout(() => location.assign(screenURL(d)), 800);
  } catch (err) {
    status('error', errorText(err.code, err.message));
    $('#submit').disabled = false;
  }
}
