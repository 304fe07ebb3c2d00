// The parts of the shared UI helpers that need no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receiptPrinter, syncBadge, typeKey } from '../static/js/ui.js';
import { t } from '../static/js/i18n.js';

test('the number pad edits digits', () => {
  assert.equal(typeKey('', '5'), '5');
  assert.equal(typeKey('5', '000'), '5000');
  assert.equal(typeKey('50.000', '0'), '500000', 'formatted values are read as digits');
  assert.equal(typeKey('0', '7'), '7', 'no leading zero');
  assert.equal(typeKey('123', 'back'), '12');
  assert.equal(typeKey('123', 'clear'), '');
  assert.equal(typeKey('99999', '9', 5), '99999', 'length is bounded');
});

test('the receipt printer is the one named receipt, else the first', () => {
  assert.equal(receiptPrinter([]), null);
  assert.equal(receiptPrinter(null), null);
  assert.equal(receiptPrinter([{ name: 'label' }, { name: 'receipt' }]).name, 'receipt');
  assert.equal(receiptPrinter([{ name: 'label' }]).name, 'label');
});

test('the sync badge says when receipt numbers are provisional', () => {
  const ok = syncBadge({ hub_reachable: true, outbox_depth: 0, numbering: { verified: true } }, t);
  assert.equal(ok.provisional, false);
  assert.equal(ok.state, 'online');
  const prov = syncBadge({ hub_reachable: false, outbox_depth: 3, numbering: { verified: false, series: 'R1' } }, t);
  assert.equal(prov.provisional, true);
  assert.equal(prov.state, 'offline');
  assert.match(prov.text, /R1/);
  assert.match(prov.text, /3/);
  assert.ok(prov.title.length > 0, 'the badge explains why');
});

// A kiosk with no hub has nothing to sync: it said "offline · N waiting"
// forever. /api/v1/sync answers linked:false; the badge stays hidden, unless
// the receipt numbers are provisional (a restore without the hub), which the
// vendor must see.
test('a kiosk with no hub shows no sync badge', () => {
  const alone = { hub: '', linked: false, hub_reachable: false, outbox_depth: 12, numbering: { verified: true } };
  assert.equal(syncBadge(alone, t), null);
  const restored = syncBadge({ ...alone, numbering: { verified: false, series: 'R1' } }, t);
  assert.ok(restored, 'provisional numbering still shows');
  assert.equal(restored.provisional, true);
  assert.match(restored.text, /R1/);
  assert.doesNotMatch(restored.text, /12/, 'nothing is waiting for a hub there is not');
  const linked = syncBadge({ hub: 'http://hub', linked: true, hub_reachable: false, outbox_depth: 12, numbering: { verified: true } }, t);
  assert.equal(linked.state, 'offline');
  assert.match(linked.text, /12/);
});
