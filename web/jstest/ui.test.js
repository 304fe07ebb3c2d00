// The parts of the shared UI helpers that need no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receiptPrinter, typeKey } from '../static/js/ui.js';

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
