// A virtualised product grid: however many products match, only the rows in
// view (plus a little) exist in the DOM, and only their pages are fetched.
// Cell size comes from the CSS custom properties --card-min-w, --card-h and
// --grid-gap of the scrolling element, so media queries can change it.

import { PAGE_SIZE, gridColumns, pagesFor, visibleRange } from './catalog.js';
import { h } from './ui.js';

export class VirtualGrid {
  // scroller: the element that scrolls. fetchPage(query, offset, limit, signal)
  // answers {products, total}. renderItem(product) answers an element.
  // updateItem(element, product), when given, redraws an element renderItem
  // made for a newer copy of the product it shows and answers true, or answers
  // false when it shows another product (the element is then replaced).
  // onState({total, loading, error}) follows the query.
  constructor(scroller, { fetchPage, renderItem, updateItem = () => false, onState = () => {}, pageSize = PAGE_SIZE }) {
    this.scroller = scroller;
    this.fetchPage = fetchPage;
    this.renderItem = renderItem;
    this.updateItem = updateItem;
    this.onState = onState;
    this.pageSize = pageSize;
    this.canvas = h('div', { class: 'vgrid-canvas' });
    scroller.append(this.canvas);
    this.nodes = new Map(); // index → element
    this.pages = new Map(); // page → products
    // Pages read before a refresh: shown until their new answer comes, so the
    // cards on screen neither blink nor move from under a finger.
    this.stale = new Set();
    this.loading = new Set();
    this.total = null;
    this.query = null;
    this.gen = 0;
    this.abort = new AbortController();
    this.frame = null;
    scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  // setQuery shows the results of a new query from the top.
  setQuery(query) {
    this.query = query;
    this.reset(true);
  }

  // refresh fetches the visible pages again (stock or catalog changed) and
  // keeps the scroll position. What is on screen stays until the answers come,
  // then each card is updated in place.
  refresh() {
    if (this.query) this.reset(false);
  }

  reset(toTop) {
    this.gen++;
    this.abort.abort();
    this.abort = new AbortController();
    this.loading.clear();
    if (toTop) {
      this.pages.clear();
      this.stale.clear();
      this.total = null;
      this.scroller.scrollTop = 0;
      for (const n of this.nodes.values()) n.remove();
      this.nodes.clear();
    } else {
      this.stale = new Set(this.pages.keys());
    }
    this.onState({ total: this.total, loading: true, error: null });
    this.load(0);
    this.schedule();
  }

  // rerender rebuilds the visible cells (after a language switch).
  rerender() {
    for (const n of this.nodes.values()) n.remove();
    this.nodes.clear();
    this.schedule();
  }

  // schedule renders before the next frame, or within 100 ms when the page
  // draws no frames (a background tab gets no animation frames).
  schedule() {
    if (this.frame) return;
    const run = () => {
      if (!this.frame) return;
      cancelAnimationFrame(this.frame.raf);
      clearTimeout(this.frame.timer);
      this.frame = null;
      this.render();
    };
    this.frame = { raf: requestAnimationFrame(run), timer: setTimeout(run, 100) };
  }

  metrics() {
    const cs = getComputedStyle(this.scroller);
    const px = (name, def) => {
      const v = parseFloat(cs.getPropertyValue(name));
      return Number.isFinite(v) && v > 0 ? v : def;
    };
    const gap = px('--grid-gap', 12);
    const minW = px('--card-min-w', 170);
    const cardH = px('--card-h', 230);
    const padL = parseFloat(cs.paddingLeft) || 0;
    const padR = parseFloat(cs.paddingRight) || 0;
    const width = this.scroller.clientWidth - padL - padR;
    const cols = gridColumns(width, minW, gap);
    const cellW = (width - gap * (cols - 1)) / cols;
    return { gap, cols, cellW, cardH, rowH: cardH + gap };
  }

  load(page) {
    if ((this.pages.has(page) && !this.stale.has(page)) || this.loading.has(page)) return;
    const gen = this.gen;
    this.loading.add(page);
    this.fetchPage(this.query, page * this.pageSize, this.pageSize, this.abort.signal)
      .then((res) => {
        if (gen !== this.gen) return;
        this.loading.delete(page);
        this.stale.delete(page);
        this.pages.set(page, res.products || []);
        const first = this.total === null;
        this.total = typeof res.total === 'number' ? res.total : (res.products || []).length;
        if (first || page === 0) this.onState({ total: this.total, loading: false, error: null });
        // Cells drawn as placeholders for this page are replaced.
        for (const [i, n] of this.nodes) {
          if (Math.floor(i / this.pageSize) === page && n.classList.contains('placeholder')) {
            n.remove();
            this.nodes.delete(i);
          }
        }
        this.schedule();
      })
      .catch((err) => {
        if (gen !== this.gen || (err && err.name === 'AbortError')) return;
        this.loading.delete(page);
        this.onState({ total: this.total, loading: false, error: err });
      });
  }

  render() {
    const total = this.total || 0;
    const m = this.metrics();
    const rows = Math.ceil(total / m.cols);
    this.canvas.style.height = `${rows * m.rowH}px`;
    const { first, last } = visibleRange({
      scrollTop: this.scroller.scrollTop,
      viewport: this.scroller.clientHeight,
      rowHeight: m.rowH,
      cols: m.cols,
      total,
    });
    for (const p of pagesFor(first, last, this.pageSize)) this.load(p);
    for (const [i, n] of this.nodes) {
      if (i < first || i >= last) {
        n.remove();
        this.nodes.delete(i);
      }
    }
    for (let i = first; i < last; i++) {
      let node = this.nodes.get(i);
      const page = this.pages.get(Math.floor(i / this.pageSize));
      const item = page ? page[i % this.pageSize] : undefined;
      if (node && node.__item !== item) {
        if (item && node.__item && this.updateItem(node, item)) {
          node.__item = item;
        } else {
          node.remove();
          node = null;
        }
      }
      if (!node) {
        node = item ? this.renderItem(item) : h('div', { class: 'product placeholder', 'aria-hidden': 'true' });
        node.__item = item;
        this.canvas.append(node);
        this.nodes.set(i, node);
      }
      const col = i % m.cols;
      const row = Math.floor(i / m.cols);
      node.style.width = `${m.cellW}px`;
      node.style.height = `${m.cardH}px`;
      node.style.transform = `translate(${col * (m.cellW + m.gap)}px, ${row * m.rowH}px)`;
    }
  }
}
