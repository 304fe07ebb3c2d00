// QR Code encoder (ISO/IEC 18004), pure: no DOM, importable by Node.
//
// The customer display draws the VietQR payload and the self-service screen the
// trace link with it, so nothing has to come from the network. It supports
// numeric, alphanumeric and byte segments, all four error-correction levels
// and versions 1–40.
//
// Segmenting and mask choice follow github.com/skip2/go-qrcode (the library the
// kiosk uses for printed QR codes) step for step, so a payload gives the same
// symbol here as on paper: web/jstest/qr.test.js compares module for module.

const ECL = {
  L: { ord: 0, bits: 1 },
  M: { ord: 1, bits: 0 },
  Q: { ord: 2, bits: 3 },
  H: { ord: 3, bits: 2 },
};

// Error-correction codewords per block and number of blocks, by level and
// version (index 0 unused).
const ECC_PER_BLOCK = [
  [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];
const NUM_BLOCKS = [
  [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

// Segment modes, ordered so that a mode can carry every character of the
// modes before it.
export const MODE_NUMERIC = 1;
export const MODE_ALPHANUMERIC = 2;
export const MODE_BYTE = 4;

const MODE_INDICATOR = { [MODE_NUMERIC]: 0b0001, [MODE_ALPHANUMERIC]: 0b0010, [MODE_BYTE]: 0b0100 };
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// The version ranges that share character-count widths.
const RANGES = [[1, 9], [10, 26], [27, 40]];

function countBits(mode, version) {
  const r = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  if (mode === MODE_NUMERIC) return [10, 12, 14][r];
  if (mode === MODE_ALPHANUMERIC) return [9, 11, 13][r];
  return [8, 16, 16][r];
}

function classify(b) {
  if (b >= 0x30 && b <= 0x39) return MODE_NUMERIC;
  if (b === 0x20 || b === 0x24 || b === 0x25 || b === 0x2a || b === 0x2b || b === 0x2d ||
      b === 0x2e || b === 0x2f || b === 0x3a || (b >= 0x41 && b <= 0x5a)) return MODE_ALPHANUMERIC;
  return MODE_BYTE;
}

// encodedLength is the bits n characters take in mode, header included, or
// -1 when n is more than the character count can say.
function encodedLength(mode, n, version) {
  const cb = countBits(mode, version);
  if (n > (1 << cb) - 1) return -1;
  let len = 4 + cb;
  if (mode === MODE_NUMERIC) len += 10 * Math.floor(n / 3) + (n % 3 ? 1 + 3 * (n % 3) : 0);
  else if (mode === MODE_ALPHANUMERIC) len += 11 * Math.floor(n / 2) + 6 * (n % 2);
  else len += 8 * n;
  return len;
}

// segment splits data into segments for versions of the range that starts at
// version, or returns null when a segment is too long for that range.
// mode 'auto' classifies each byte and coalesces neighbours where that is
// shorter (as go-qrcode does); 'byte' makes one byte segment.
export function segment(data, version, mode = 'auto') {
  if (data.length === 0) throw new Error('qr: no data to encode');
  if (mode === 'byte') {
    return encodedLength(MODE_BYTE, data.length, version) < 0 ? null : [{ mode: MODE_BYTE, data }];
  }
  const actual = [];
  let start = 0;
  let cur = 0;
  let highest = 0;
  for (let i = 0; i < data.length; i++) {
    const m = classify(data[i]);
    if (m !== cur) {
      if (i > 0) {
        actual.push({ mode: cur, data: data.subarray(start, i) });
        start = i;
      }
      cur = m;
    }
    if (m > highest) highest = m;
  }
  actual.push({ mode: cur, data: data.subarray(start) });

  const optimised = [];
  for (let i = 0; i < actual.length;) {
    const mode = actual[i].mode;
    let n = actual[i].data.length;
    let j = i + 1;
    while (j < actual.length) {
      const next = actual[j];
      if (next.mode > mode) break;
      const joined = encodedLength(mode, n + next.data.length, version);
      const a = encodedLength(mode, n, version);
      const b = encodedLength(next.mode, next.data.length, version);
      if (joined < 0 || a < 0 || b < 0) return null;
      if (joined < a + b) {
        n += next.data.length;
        j++;
      } else {
        break;
      }
    }
    const start = actual[i].data.byteOffset - data.byteOffset;
    optimised.push({ mode, data: data.subarray(start, start + n) });
    i = j;
  }

  let total = 0;
  for (const s of optimised) {
    const l = encodedLength(s.mode, s.data.length, version);
    if (l < 0) return null;
    total += l;
  }
  const single = encodedLength(highest, data.length, version);
  if (single < 0) return null;
  if (single <= total) return [{ mode: highest, data }];
  return optimised;
}

class BitBuffer {
  constructor() { this.bits = []; }
  append(value, n) {
    for (let i = n - 1; i >= 0; i--) this.bits.push((value >>> i) & 1);
  }
  get length() { return this.bits.length; }
}

function encodeSegments(segs, version) {
  const bb = new BitBuffer();
  for (const s of segs) {
    bb.append(MODE_INDICATOR[s.mode], 4);
    bb.append(s.data.length, countBits(s.mode, version));
    const d = s.data;
    if (s.mode === MODE_NUMERIC) {
      for (let i = 0; i < d.length; i += 3) {
        const k = Math.min(3, d.length - i);
        let v = 0;
        for (let j = 0; j < k; j++) v = v * 10 + (d[i + j] - 0x30);
        bb.append(v, 1 + 3 * k);
      }
    } else if (s.mode === MODE_ALPHANUMERIC) {
      for (let i = 0; i < d.length; i += 2) {
        if (i + 1 < d.length) {
          bb.append(ALNUM.indexOf(String.fromCharCode(d[i])) * 45 + ALNUM.indexOf(String.fromCharCode(d[i + 1])), 11);
        } else {
          bb.append(ALNUM.indexOf(String.fromCharCode(d[i])), 6);
        }
      }
    } else {
      for (const b of d) bb.append(b, 8);
    }
  }
  return bb;
}

function numRawDataModules(ver) {
  let result = (16 * ver + 128) * ver + 64;
  if (ver >= 2) {
    const numAlign = Math.floor(ver / 7) + 2;
    result -= (25 * numAlign - 10) * numAlign - 55;
    if (ver >= 7) result -= 36;
  }
  return result;
}

function numDataCodewords(ver, ecl) {
  return Math.floor(numRawDataModules(ver) / 8) - ECC_PER_BLOCK[ecl.ord][ver] * NUM_BLOCKS[ecl.ord][ver];
}

// ---- Reed–Solomon over GF(256), polynomial 0x11D ----

function gfMul(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

function rsDivisor(degree) {
  const result = new Array(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < result.length; j++) {
      result[j] = gfMul(result[j], root);
      if (j + 1 < result.length) result[j] ^= result[j + 1];
    }
    root = gfMul(root, 0x02);
  }
  return result;
}

function rsRemainder(data, divisor) {
  const result = divisor.map(() => 0);
  for (const b of data) {
    const factor = b ^ result.shift();
    result.push(0);
    divisor.forEach((coef, i) => { result[i] ^= gfMul(coef, factor); });
  }
  return result;
}

function addEccAndInterleave(data, ver, ecl) {
  const numBlocks = NUM_BLOCKS[ecl.ord][ver];
  const blockEccLen = ECC_PER_BLOCK[ecl.ord][ver];
  const rawCodewords = Math.floor(numRawDataModules(ver) / 8);
  const numShortBlocks = numBlocks - (rawCodewords % numBlocks);
  const shortBlockLen = Math.floor(rawCodewords / numBlocks);
  const divisor = rsDivisor(blockEccLen);
  const blocks = [];
  for (let i = 0, k = 0; i < numBlocks; i++) {
    const dat = data.slice(k, k + shortBlockLen - blockEccLen + (i < numShortBlocks ? 0 : 1));
    k += dat.length;
    const ecc = rsRemainder(dat, divisor);
    if (i < numShortBlocks) dat.push(0);
    blocks.push(dat.concat(ecc));
  }
  const result = [];
  for (let i = 0; i < blocks[0].length; i++) {
    blocks.forEach((block, j) => {
      if (i !== shortBlockLen - blockEccLen || j >= numShortBlocks) result.push(block[i]);
    });
  }
  return result;
}

// ---- the symbol ----

function alignmentPositions(ver, size) {
  if (ver === 1) return [];
  const numAlign = Math.floor(ver / 7) + 2;
  const step = Math.floor((ver * 8 + numAlign * 3 + 5) / (numAlign * 4 - 4)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < numAlign; pos -= step) result.splice(1, 0, pos);
  return result;
}

function formatBits(ecl, mask) {
  const data = (ecl.bits << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return ((data << 10) | rem) ^ 0x5412;
}

function versionBits(ver) {
  let rem = ver;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  return (ver << 12) | rem;
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x, y) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Symbol {
  constructor(ver, ecl) {
    this.size = ver * 4 + 17;
    this.ver = ver;
    this.ecl = ecl;
    this.modules = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.fn = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  setFn(x, y, dark) {
    this.modules[y][x] = dark;
    this.fn[y][x] = true;
  }

  drawFunctionPatterns() {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      this.setFn(6, i, i % 2 === 0);
      this.setFn(i, 6, i % 2 === 0);
    }
    for (const [cx, cy] of [[3, 3], [n - 4, 3], [3, n - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const d = Math.max(Math.abs(dx), Math.abs(dy));
          const x = cx + dx;
          const y = cy + dy;
          if (x >= 0 && x < n && y >= 0 && y < n) this.setFn(x, y, d !== 2 && d !== 4);
        }
      }
    }
    const pos = alignmentPositions(this.ver, n);
    const k = pos.length;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        if ((i === 0 && j === 0) || (i === 0 && j === k - 1) || (i === k - 1 && j === 0)) continue;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            this.setFn(pos[i] + dx, pos[j] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
          }
        }
      }
    }
    this.drawFormat(0); // reserves the area; redrawn with the real mask
    if (this.ver >= 7) {
      const bits = versionBits(this.ver);
      for (let i = 0; i < 18; i++) {
        const bit = ((bits >>> i) & 1) === 1;
        const a = n - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.setFn(a, b, bit);
        this.setFn(b, a, bit);
      }
    }
  }

  drawFormat(mask) {
    const n = this.size;
    const bits = formatBits(this.ecl, mask);
    const bit = (i) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.setFn(8, i, bit(i));
    this.setFn(8, 7, bit(6));
    this.setFn(8, 8, bit(7));
    this.setFn(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.setFn(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.setFn(n - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.setFn(8, n - 15 + i, bit(i));
    this.setFn(8, n - 8, true);
  }

  drawCodewords(data) {
    const n = this.size;
    let i = 0;
    for (let right = n - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let vert = 0; vert < n; vert++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const upward = ((right + 1) & 2) === 0;
          const y = upward ? n - 1 - vert : vert;
          if (!this.fn[y][x] && i < data.length * 8) {
            this.modules[y][x] = ((data[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
            i++;
          }
        }
      }
    }
  }

  // applyMask XORs the data area with a mask pattern; applying it twice undoes it.
  applyMask(mask) {
    const f = MASKS[mask];
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        if (!this.fn[y][x] && f(x, y)) this.modules[y][x] = !this.modules[y][x];
      }
    }
  }
}

// penalty scores a finished symbol exactly as go-qrcode does (its rules 3 and
// 4 differ slightly from the standard's), so that both pick the same mask.
export function penalty(m) {
  const n = m.length;
  let p1 = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < n; a++) {
      let last = pass === 0 ? m[0][a] : m[a][0];
      let count = 1;
      for (let b = 1; b < n; b++) {
        const v = pass === 0 ? m[b][a] : m[a][b];
        if (v !== last) {
          count = 1;
          last = v;
        } else {
          count++;
          if (count === 6) p1 += 3 + 1;
          else if (count > 6) p1++;
        }
      }
    }
  }
  let p2 = 0;
  for (let y = 1; y < n; y++) {
    for (let x = 1; x < n; x++) {
      const c = m[y][x];
      if (c === m[y][x - 1] && c === m[y - 1][x] && c === m[y - 1][x - 1]) p2++;
    }
  }
  p2 *= 3;
  let p3 = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < n; a++) {
      let buf = 0;
      for (let b = 0; b < n; b++) {
        buf = ((buf << 1) & 0xffff) | ((pass === 0 ? m[a][b] : m[b][a]) ? 1 : 0);
        const w = buf & 0x7ff;
        if (w === 0x05d || w === 0x5d0) {
          p3 += 40;
          buf = 0xff;
        } else if (b === n - 1 && (buf & 0x7f) === 0x5d) {
          p3 += 40;
          buf = 0xff;
        }
      }
    }
  }
  let dark = 0;
  for (const row of m) for (const v of row) if (v) dark++;
  const total = n * n;
  const dev = Math.abs(Math.floor(total / 2) - dark);
  const p4 = 10 * Math.floor(dev / Math.floor(total / 20));
  return p1 + p2 + p3 + p4;
}

function toBytes(input) {
  if (typeof input === 'string') return new TextEncoder().encode(input);
  if (input instanceof Uint8Array) return input;
  throw new TypeError('qr: want a string or a Uint8Array');
}

// encodeQR makes a QR symbol of text (UTF-8) or bytes.
//
// options: ecl 'L'|'M'|'Q'|'H' (default 'M'), version (force one, 1–40),
// mask (force one, 0–7), mode 'auto' (default) or 'byte', maxVersion.
// It answers {version, size, ecl, mask, modules}, modules[y][x] true for dark,
// without the quiet zone (draw at least 4 light modules around it).
export function encodeQR(input, options = {}) {
  const eclName = options.ecl || 'M';
  const ecl = ECL[eclName];
  if (!ecl) throw new Error(`qr: unknown error-correction level ${eclName}`);
  const data = toBytes(input);
  const mode = options.mode || 'auto';
  const maxVersion = options.maxVersion || 40;

  let version = 0;
  let bb = null;
  if (options.version) {
    version = options.version;
    if (!(version >= 1 && version <= 40)) throw new Error(`qr: version ${version} is not 1–40`);
    const segs = segment(data, version, mode);
    if (segs) bb = encodeSegments(segs, version);
    if (!bb || bb.length > numDataCodewords(version, ecl) * 8) {
      throw new Error(`qr: ${data.length} bytes do not fit version ${version}-${eclName}`);
    }
  } else {
    for (const [lo, hi] of RANGES) {
      const segs = segment(data, lo, mode);
      if (!segs) continue;
      const bits = encodeSegments(segs, lo);
      for (let v = lo; v <= Math.min(hi, maxVersion); v++) {
        if (numDataCodewords(v, ecl) * 8 >= bits.length) {
          version = v;
          bb = bits;
          break;
        }
      }
      if (version) break;
    }
    if (!version) throw new Error(`qr: ${data.length} bytes are too long for a QR code at level ${eclName}`);
  }

  const capacity = numDataCodewords(version, ecl) * 8;
  bb.append(0, Math.min(4, capacity - bb.length));
  bb.append(0, (8 - (bb.length % 8)) % 8);
  const codewords = [];
  for (let i = 0; i < bb.length; i += 8) {
    let b = 0;
    for (let j = 0; j < 8; j++) b = (b << 1) | bb.bits[i + j];
    codewords.push(b);
  }
  for (let pad = 0xec; codewords.length < capacity / 8; pad ^= 0xec ^ 0x11) codewords.push(pad);

  const sym = new Symbol(version, ecl);
  sym.drawFunctionPatterns();
  sym.drawCodewords(addEccAndInterleave(codewords, version, ecl));

  let mask = options.mask;
  if (mask === undefined || mask === null) {
    let best = Infinity;
    for (let m = 0; m < 8; m++) {
      sym.applyMask(m);
      sym.drawFormat(m);
      const p = penalty(sym.modules);
      if (p < best) {
        best = p;
        mask = m;
      }
      sym.applyMask(m);
    }
  } else if (!(mask >= 0 && mask <= 7)) {
    throw new Error(`qr: mask ${mask} is not 0–7`);
  }
  sym.applyMask(mask);
  sym.drawFormat(mask);
  return { version, size: sym.size, ecl: eclName, mask, modules: sym.modules };
}

// toStrings renders modules as rows of '1' (dark) and '0' (light).
export function toStrings(modules) {
  return modules.map((row) => row.map((v) => (v ? '1' : '0')).join(''));
}
