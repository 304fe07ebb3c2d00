// The till's keyboard shortcuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIALOG_KEYS, SHORTCUTS, shortcutFor } from '../static/js/shortcuts.js';
import { dict } from '../static/js/i18n.js';

test('each shortcut key does one thing', () => {
  for (const [key, action] of [['F2', 'search'], ['F4', 'cash'], ['F9', 'exact'], ['F6', 'qty'], ['F8', 'clear'], ['F1', 'help']]) {
    assert.equal(shortcutFor({ key }), action, key);
  }
  for (const key of ['a', '5', 'Enter', 'Escape', 'F5', 'F12', 'Tab', ' ']) assert.equal(shortcutFor({ key }), null, key);
});

// A scanned trace link (https://…/01/…?17=…) types "/" and "?": no character
// may be a shortcut, or a scan would jump into the search box halfway.
test('no character a scanner types is a shortcut', () => {
  for (const c of 'https://kiosk.example.vn/01/08936072100152/10/UM2605-01?17=280515 ABC-123_*+') {
    assert.equal(shortcutFor({ key: c }), null, c);
  }
  for (const s of SHORTCUTS) for (const k of s.keys) assert.match(k, /^F\d+$/, k);
});

test('a modifier or an open dialog keeps the cart out of reach', () => {
  assert.equal(shortcutFor({ key: 'F4', ctrlKey: true }), null);
  assert.equal(shortcutFor({ key: 'F8', altKey: true }), null);
  for (const key of ['F2', 'F4', 'F9', 'F6', 'F8']) assert.equal(shortcutFor({ key }, { dialog: true }), null, key);
  assert.equal(shortcutFor({ key: 'F1' }, { dialog: true }), 'help');
});

test('every shortcut has words in both languages and no key is used twice', () => {
  const seen = new Set();
  for (const s of [...SHORTCUTS, ...DIALOG_KEYS]) {
    assert.ok(dict[s.label] && dict[s.label].vi && dict[s.label].en, s.label);
    for (const k of s.keys) {
      assert.ok(!seen.has(k), `${k} twice`);
      seen.add(k);
    }
  }
});
