// The start page (/): one tile per screen. A paired tablet sees which screen
// it is paired as, and its tiles keep the language chosen here.

import { device } from './api.js';
import { getLang, t } from './i18n.js';
import { $, $$, initLang } from './ui.js';

initLang(render);
render();

function render() {
  for (const a of $$('.tile')) {
    const url = new URL(a.getAttribute('href'), location.href);
    url.searchParams.set('lang', getLang());
    a.href = url.pathname + url.search;
  }
  const d = device();
  const note = $('#device');
  note.hidden = !d;
  if (d) note.textContent = t('pairpage.current', { role: t(`role.${d.role}`), till: d.till });
}
