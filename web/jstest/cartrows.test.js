// What the screens show of a priced cart: lines at their worth with what was
// taken off under them, free units as a line of their own, weighed lines in
// kg at the price per kg, the sale's discount under the subtotal — and the
// rows always add up to the total the kiosk sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amountsText, cartRows, customerSaves, discountLabel, lineRows, promotionName, weighed,
} from '../static/js/cartrows.js';

// A cart as the kiosk sends it (kiosk/cart.go cartView): honey with a 10 %
// promotion and the till's 10 % for a regular customer, three candies of
// which one is free, 1,235 kg of dried fish, 15 % off the sale.
const cart = {
  seq: 9,
  lines: [
    { sku: 'CM-MO-500', name: 'Mật ong', name_en: 'Honey', unit: 'chai', price: 220000, qty: 2, gross: 440000,
      discount: 44000 + 39600 + 53460, promotion: 'KM10', promotion_name: 'Giảm 10 % mật ong', promotion_saved: 44000,
      line_discount: 39600, discount_request: { percent: 10 }, discount_reason: 'khách quen', sale_discount: 53460, total: 302940 },
    { sku: 'BT-KD-400', name: 'Kẹo dừa', unit: 'gói', price: 52000, qty: 3, free_qty: 1, gross: 104000, discount: 15600,
      promotion: 'M2T1', promotion_name: 'Mua 2 tặng 1', promotion_saved: 52000, sale_discount: 15600, total: 88400 },
    { sku: 'CM-KCL-KG', name: 'Khô cá', unit: 'kg', sold_by: 'weight', price: 460000, qty: 1, weight_g: 1235, gross: 568100,
      discount: 69615, sale_discount: 69615, total: 498485 },
  ],
  gross: 1112100,
  discount: 44000 + 39600 + 138675,
  sale_discount: 138675,
  discount_request: { percent: 15 },
  discount_reason: 'khách đoàn',
  promotions: [
    { id: 'KM10', name: 'Giảm 10 % mật ong', name_en: '10 % off honey', kind: 'percent', lines: 1, saved: 44000 },
    { id: 'M2T1', name: 'Mua 2 tặng 1', kind: 'buy_get', lines: 1, saved: 52000 },
  ],
  total: 1112100 - (44000 + 39600 + 138675),
};

test('a weighed line reads 1,235 kg × 460.000 ₫/kg', () => {
  const fish = cart.lines[2];
  assert.ok(weighed(fish));
  assert.ok(!weighed(cart.lines[0]));
  assert.equal(amountsText(fish, 'vi'), '1,235 kg × 460.000 ₫/kg');
  assert.equal(amountsText(fish, 'en'), '1.235 kg × 460.000 ₫/kg');
  assert.equal(amountsText(cart.lines[1], 'vi'), '2 × 52.000 ₫', 'the paid units; the free one is its own line');
  const rows = lineRows(cart, fish, 'vi');
  assert.equal(rows.weighed, true);
  assert.equal(rows.gross, 568100);
  assert.deepEqual(rows.offs, [], "the sale's discount shows under the subtotal, not on the line");
});

test('a line shows its promotion and the till discount, with its percentage and reason', () => {
  const rows = lineRows(cart, cart.lines[0], 'vi');
  assert.deepEqual(rows.offs, [
    { kind: 'promotion', label: 'Khuyến mãi: Giảm 10 % mật ong', amount: 44000 },
    { kind: 'discount', label: 'Giảm giá 10 %: khách quen', amount: 39600 },
  ]);
  const en = lineRows(cart, cart.lines[0], 'en');
  assert.equal(en.offs[0].label, 'Promotion: 10 % off honey', 'the English name from the cart');
  assert.equal(en.offs[1].label, 'Discount 10 %: khách quen');
  assert.equal(discountLabel({ amount: 20000 }, '', 'vi'), 'Giảm giá');
  assert.equal(discountLabel({ percent: 12.5 }, 'hàng trưng bày', 'vi'), 'Giảm giá 12,5 %: hàng trưng bày');
});

test('units given free are a line of their own at 0 ₫, naming the promotion', () => {
  const rows = lineRows(cart, cart.lines[1], 'vi');
  assert.deepEqual(rows.offs, [], 'free units are not a discount');
  assert.deepEqual(rows.free, { qty: 1, value: 52000, label: 'Tặng kèm 1 gói', promotion: 'Khuyến mãi: Mua 2 tặng 1' });
  assert.equal(lineRows(cart, cart.lines[1], 'en').free.label, '1 pack free');
  assert.equal(promotionName(cart, cart.lines[1], 'en'), 'Mua 2 tặng 1', 'no English name: the Vietnamese one');
});

test('a discount waiting for the manager PIN is marked', () => {
  assert.equal(lineRows(cart, { ...cart.lines[0], needs_pin: true }, 'vi').needsPin, true);
  const { rows } = cartRows({ ...cart, needs_pin: true }, 'vi');
  assert.equal(rows.find((r) => r.kind === 'sale_discount').needsPin, true);
});

test("under the lines: the subtotal, the sale's discount, everything taken off", () => {
  const { rows, total } = cartRows(cart, 'vi');
  assert.deepEqual(rows.map((r) => [r.kind, r.label, r.amount]), [
    ['subtotal', 'Cộng tiền hàng', 1112100 - 44000 - 39600],
    ['sale_discount', 'Giảm giá cả đơn 15 %: khách đoàn', -138675],
    ['saved', 'Tổng giảm giá', -(44000 + 39600 + 138675)],
  ]);
  assert.equal(total, cart.total);
  assert.deepEqual(cartRows({ lines: [], total: 0 }, 'vi').rows, []);
  assert.equal(customerSaves(cart), 44000 + 52000 + 39600 + 138675, 'the free candy counts as saved');
});

// Random carts priced as the kiosk prices them: whatever the promotions and
// discounts, what the screen lists adds up to the total it shows.
test('the rows always add up to the total', () => {
  let seed = 7;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 500; i++) {
    const lines = [];
    for (let j = 0; j <= rnd(6); j++) {
      const price = (1 + rnd(500)) * 1000;
      const qty = 1 + rnd(5);
      const free = rnd(3) === 0 ? rnd(qty) : 0;
      const gross = price * (qty - free);
      const promo = rnd(3) === 0 ? Math.floor((gross * rnd(50)) / 100) : 0;
      const own = rnd(3) === 0 ? Math.floor(((gross - promo) * rnd(30)) / 100) : 0;
      lines.push({ sku: `S${j}`, name: `P${j}`, price, qty, free_qty: free, gross, promotion: promo || free ? 'P' : undefined,
        line_discount: own, discount_request: own ? { amount: own } : undefined, discount: promo + own, sale_discount: 0 });
    }
    const sub = lines.reduce((s, l) => s + l.gross - l.discount, 0);
    const saleOff = rnd(2) ? Math.floor((sub * rnd(20)) / 100) : 0;
    let left = saleOff;
    for (const l of lines) {
      const share = Math.min(left, l.gross - l.discount);
      l.sale_discount = share;
      l.discount += share;
      left -= share;
      l.total = l.gross - l.discount;
    }
    const c = { lines, sale_discount: saleOff, discount_request: saleOff ? { amount: saleOff } : undefined,
      discount: lines.reduce((s, l) => s + l.discount, 0), total: lines.reduce((s, l) => s + l.total, 0), promotions: [] };
    const shown = lines.reduce((s, l) => {
      const r = lineRows(c, l, 'vi');
      return s + r.gross - r.offs.reduce((a, o) => a + o.amount, 0);
    }, 0);
    const sums = cartRows(c, 'vi').rows;
    const saleRow = sums.find((r) => r.kind === 'sale_discount');
    const sale = saleRow ? -saleRow.amount : 0;
    assert.equal(shown - sale, c.total, `cart ${i}`);
    if (saleRow) assert.equal(sums.find((r) => r.kind === 'subtotal').amount, shown, `subtotal of cart ${i}`);
  }
});
