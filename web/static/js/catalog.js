// The arithmetic of the product grid and its queries. Pure: no DOM.
//
// A catalog may hold 20,000 products, so the grid never fetches them all: it
// knows the total from the first page, lays out that many cells, and fetches
// only the pages (60 products each) that the visible rows need.

export const PAGE_SIZE = 60;

// productsURL builds GET /api/v1/products for a query; empty filters are
// left out.
export function productsURL({ q = '', group = '', stars = 0, province = '', offset = 0, limit = PAGE_SIZE } = {}) {
  const p = new URLSearchParams();
  const text = q.trim();
  if (text) p.set('q', text);
  if (group) p.set('group', group);
  if (stars) p.set('stars', String(stars));
  if (province) p.set('province', province);
  p.set('limit', String(limit));
  p.set('offset', String(offset));
  return `/api/v1/products?${p}`;
}

// queryKey names a query without its paging, to tell one search from another.
export function queryKey({ q = '', group = '', stars = 0, province = '' } = {}) {
  return JSON.stringify([q.trim(), group, stars || 0, province]);
}

// gridColumns is how many cells of at least minWidth fit in width with gap
// between them (at least one).
export function gridColumns(width, minWidth, gap) {
  return Math.max(1, Math.floor((width + gap) / (minWidth + gap)));
}

// visibleRange gives the product indices [first, last) whose rows intersect
// the viewport, widened by overscan rows on each side.
export function visibleRange({ scrollTop, viewport, rowHeight, cols, total, overscan = 2 }) {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const rows = Math.ceil(total / cols);
  const top = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const bottom = Math.min(rows, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first: top * cols, last: Math.min(total, bottom * cols) };
}

// pagesFor lists the page numbers that hold indices [first, last).
export function pagesFor(first, last, pageSize = PAGE_SIZE) {
  const out = [];
  if (last <= first) return out;
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) out.push(p);
  return out;
}

// debounce calls fn once calls have paused for ms (the search box waits
// ~120 ms after the last key). The returned function has cancel() and flush().
export function debounce(fn, ms) {
  let timer = null;
  let args = null;
  const wrapped = (...a) => {
    args = a;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...args);
    }, ms);
  };
  wrapped.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  wrapped.flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
      fn(...args);
    }
  };
  return wrapped;
}

// starsText draws OCOP stars as ★ characters.
export function starsText(n) {
  const k = Math.max(0, Math.min(5, Number(n) || 0));
  return '★'.repeat(k);
}

// ownImage is a product image's address when the kiosk serves it itself, else
// null. A bare file name ("mo-500.jpg", as the catalog's image column and a
// zip of pictures name a picture) is the kiosk's picture of that name,
// /img/mo-500.jpg; so is a path (/img/mo-500.jpg) or a full address on the
// page's own origin. A catalog may name an image anywhere, but the screens
// fetch nothing from outside the kiosk (the Content-Security-Policy would
// refuse it anyway; leaving it out spares the request and the console's
// complaint).
export function ownImage(src, pageURL) {
  if (typeof src !== 'string' || src.trim() === '') return null;
  const name = src.trim().toLowerCase();
  if (/^[a-z0-9][a-z0-9._-]{0,79}\.(jpg|jpeg|png)$/.test(name) && !name.includes('..')) return `/img/${name}`;
  let page;
  let u;
  try {
    page = new URL(pageURL);
    u = new URL(src.trim(), page);
  } catch {
    return null;
  }
  if (u.origin !== page.origin) return null;
  return u.pathname + u.search;
}
