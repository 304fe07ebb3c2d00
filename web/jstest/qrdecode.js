// A small QR decoder for tests: it reads a clean module matrix (no camera, no
// error correction), checks the format information and every block's
// Reed–Solomon codewords, and returns the decoded text. It is written apart
// from web/static/js/qr.js on purpose, so that the two do not share mistakes.

const ECC_PER_BLOCK = {
  L: [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  M: [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  Q: [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  H: [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
};
const NUM_BLOCKS = {
  L: [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  M: [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  Q: [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  H: [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
};
const LEVEL_OF_BITS = { 1: 'L', 0: 'M', 3: 'Q', 2: 'H' };
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// Alignment pattern centres from ISO/IEC 18004 Annex E, versions 1–40.
const ALIGN = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
  [6, 30, 54], [6, 32, 58], [6, 34, 62], [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74], [6, 30, 54, 78], [6, 30, 56, 82],
  [6, 30, 58, 86], [6, 34, 62, 90], [6, 28, 50, 72, 94], [6, 26, 50, 74, 98], [6, 30, 54, 78, 102], [6, 28, 54, 80, 106],
  [6, 32, 58, 84, 110], [6, 30, 58, 86, 114], [6, 34, 62, 90, 118], [6, 26, 50, 74, 98, 122], [6, 30, 54, 78, 102, 126],
  [6, 26, 52, 78, 104, 130], [6, 30, 56, 82, 108, 134], [6, 34, 60, 86, 112, 138], [6, 30, 58, 86, 114, 142],
  [6, 34, 62, 90, 118, 146], [6, 30, 54, 78, 102, 126, 150], [6, 24, 50, 76, 102, 128, 154], [6, 28, 54, 80, 106, 132, 158],
  [6, 32, 58, 84, 110, 136, 162], [6, 26, 54, 82, 110, 138, 166], [6, 30, 58, 86, 114, 142, 170]];

function mul(a, b) {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
    b >>= 1;
  }
  return r;
}

// eccOf computes n error-correction codewords of data by long division by the
// generator polynomial (x - α^0)…(x - α^(n-1)).
function eccOf(data, n) {
  let gen = [1];
  let alpha = 1;
  for (let i = 0; i < n; i++) {
    const next = new Array(gen.length + 1).fill(0);
    gen.forEach((c, j) => {
      next[j] ^= c;
      next[j + 1] ^= mul(c, alpha);
    });
    gen = next;
    alpha = mul(alpha, 2);
  }
  const msg = data.concat(new Array(n).fill(0));
  for (let i = 0; i < data.length; i++) {
    const c = msg[i];
    if (c) gen.forEach((g, j) => { msg[i + j] ^= mul(g, c); });
  }
  return msg.slice(data.length);
}

export function readFormat(rows) {
  const at = (x, y) => rows[y][x] === '1' || rows[y][x] === true;
  let bits = 0;
  const seq = [];
  for (let i = 0; i <= 5; i++) seq.push([8, i]);
  seq.push([8, 7], [8, 8], [7, 8]);
  for (let i = 9; i < 15; i++) seq.push([14 - i, 8]);
  seq.forEach(([x, y], i) => { if (at(x, y)) bits |= 1 << i; });
  const raw = bits ^ 0x5412;
  const data = raw >>> 10;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  if ((((data << 10) | (rem & 0x3ff))) !== raw) throw new Error('format information does not check');
  return { level: LEVEL_OF_BITS[data >>> 3], mask: data & 7 };
}

export function decodeQR(rows) {
  const n = rows.length;
  const version = (n - 17) / 4;
  if (!Number.isInteger(version) || version < 1 || version > 40) throw new Error(`bad size ${n}`);
  const { level, mask } = readFormat(rows);
  const dark = (x, y) => rows[y][x] === '1' || rows[y][x] === true;

  const reserved = Array.from({ length: n }, () => new Array(n).fill(false));
  const box = (x0, y0, w, h) => {
    for (let y = Math.max(0, y0); y < Math.min(n, y0 + h); y++) for (let x = Math.max(0, x0); x < Math.min(n, x0 + w); x++) reserved[y][x] = true;
  };
  box(0, 0, 9, 9);
  box(n - 8, 0, 8, 9);
  box(0, n - 8, 9, 8);
  box(6, 0, 1, n);
  box(0, 6, n, 1);
  const al = ALIGN[version];
  for (const ay of al) {
    for (const ax of al) {
      if ((ax === 6 && ay === 6) || (ax === 6 && ay === al[al.length - 1]) || (ay === 6 && ax === al[al.length - 1])) continue;
      box(ax - 2, ay - 2, 5, 5);
    }
  }
  if (version >= 7) {
    box(n - 11, 0, 3, 6);
    box(0, n - 11, 6, 3);
  }

  const maskFn = [
    (i, j) => (i + j) % 2 === 0, (i) => i % 2 === 0, (i, j) => j % 3 === 0, (i, j) => (i + j) % 3 === 0,
    (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0, (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
    (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0, (i, j) => (((i + j) % 2) + ((i * j) % 3)) % 2 === 0,
  ][mask];

  const bits = [];
  let upward = true;
  for (let col = n - 1; col > 0; col -= 2) {
    if (col === 6) col = 5;
    for (let k = 0; k < n; k++) {
      const y = upward ? n - 1 - k : k;
      for (const x of [col, col - 1]) {
        if (reserved[y][x]) continue;
        bits.push(dark(x, y) !== maskFn(y, x) ? 1 : 0);
      }
    }
    upward = !upward;
  }
  const total = Math.floor(bits.length / 8);
  const cw = [];
  for (let i = 0; i < total; i++) {
    let b = 0;
    for (let j = 0; j < 8; j++) b = (b << 1) | bits[i * 8 + j];
    cw.push(b);
  }

  const nb = NUM_BLOCKS[level][version];
  const ecLen = ECC_PER_BLOCK[level][version];
  const shortLen = Math.floor(total / nb) - ecLen; // data codewords of a short block
  const numLong = total % nb;
  const blocks = Array.from({ length: nb }, (_, i) => ({ data: [], ecc: [], len: shortLen + (i >= nb - numLong ? 1 : 0) }));
  let p = 0;
  for (let i = 0; i < shortLen + 1; i++) {
    for (const b of blocks) if (i < b.len) b.data.push(cw[p++]);
  }
  for (let i = 0; i < ecLen; i++) for (const b of blocks) b.ecc.push(cw[p++]);
  const data = [];
  blocks.forEach((b, i) => {
    const want = eccOf(b.data, ecLen);
    if (want.join() !== b.ecc.join()) throw new Error(`block ${i}: error-correction codewords do not match`);
    data.push(...b.data);
  });

  const stream = [];
  for (const b of data) for (let j = 7; j >= 0; j--) stream.push((b >> j) & 1);
  let pos = 0;
  const read = (k) => {
    let v = 0;
    for (let i = 0; i < k; i++) v = (v << 1) | (stream[pos++] ?? 0);
    return v;
  };
  const r = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  const out = [];
  const segments = [];
  while (pos + 4 <= stream.length) {
    const mode = read(4);
    if (mode === 0) break;
    if (mode === 1) {
      let count = read([10, 12, 14][r]);
      segments.push(['numeric', count]);
      for (; count >= 3; count -= 3) out.push(...String(read(10)).padStart(3, '0').split('').map((c) => c.charCodeAt(0)));
      if (count === 2) out.push(...String(read(7)).padStart(2, '0').split('').map((c) => c.charCodeAt(0)));
      if (count === 1) out.push(String(read(4)).charCodeAt(0));
    } else if (mode === 2) {
      let count = read([9, 11, 13][r]);
      segments.push(['alphanumeric', count]);
      for (; count >= 2; count -= 2) {
        const v = read(11);
        out.push(ALNUM.charCodeAt(Math.floor(v / 45)), ALNUM.charCodeAt(v % 45));
      }
      if (count === 1) out.push(ALNUM.charCodeAt(read(6)));
    } else if (mode === 4) {
      const count = read([8, 16, 16][r]);
      segments.push(['byte', count]);
      for (let i = 0; i < count; i++) out.push(read(8));
    } else {
      throw new Error(`unsupported mode ${mode}`);
    }
  }
  return { text: new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(out)), version, level, mask, segments };
}
