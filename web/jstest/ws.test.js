// Reconnecting: the wait grows from 0.5 s to 5 s and stays there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, nextBackoff } from '../static/js/ws.js';

test('backoff doubles from 0.5 s up to 5 s', () => {
  const waits = [];
  let b = 0;
  for (let i = 0; i < 7; i++) {
    b = nextBackoff(b);
    waits.push(b);
  }
  assert.deepEqual(waits, [500, 1000, 2000, 4000, 5000, 5000, 5000]);
});

test('the screens speak protocol version 1', () => {
  assert.equal(PROTOCOL_VERSION, 1);
});
