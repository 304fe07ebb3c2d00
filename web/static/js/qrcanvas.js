// Drawing a QR code (from qr.js) on a <canvas>, crisp at any screen density:
// whole device pixels per module and a light quiet zone of four modules.

import { encodeQR } from './qr.js';

// drawQR fills canvas with the QR code of text, as large as the canvas's CSS
// box allows. It answers the symbol ({version, size, mask…}).
export function drawQR(canvas, text, { ecl = 'M', quiet = 4 } = {}) {
  const sym = encodeQR(text, { ecl });
  const modules = sym.size + 2 * quiet;
  const rect = canvas.getBoundingClientRect();
  const css = Math.max(Math.min(rect.width || 0, rect.height || rect.width || 0), 0) || 240;
  const dpr = window.devicePixelRatio || 1;
  const scale = Math.max(1, Math.floor((css * dpr) / modules));
  const px = modules * scale;
  canvas.width = px;
  canvas.height = px;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, px, px);
  ctx.fillStyle = '#000';
  for (let y = 0; y < sym.size; y++) {
    for (let x = 0; x < sym.size; x++) {
      if (sym.modules[y][x]) ctx.fillRect((x + quiet) * scale, (y + quiet) * scale, scale, scale);
    }
  }
  canvas.dataset.payload = text;
  canvas.dataset.version = String(sym.version);
  return sym;
}

// clearQR blanks a canvas.
export function clearQR(canvas) {
  canvas.width = 1;
  canvas.height = 1;
  delete canvas.dataset.payload;
}
