// The till's keyboard shortcuts, for a vendor with a keyboard (most tills at a
// fair have one beside the barcode scanner). They are function keys, which
// work from anywhere on the page, the search box included, and which no
// barcode scanner types: a scanned trace link is full of "/" and "?", so a
// character would start a search in the middle of a scan. Pure: no DOM, so
// web/jstest/shortcuts.test.js pins them, and the till lists them on screen
// from this table.

// SHORTCUTS in the order the help lists them: keys (the first is shown), what
// the key does (the till's action) and its words (an i18n key).
export const SHORTCUTS = [
  { keys: ['F2'], action: 'search', label: 'keys.search' },
  { keys: ['F4'], action: 'cash', label: 'keys.cash' },
  { keys: ['F9'], action: 'exact', label: 'keys.exact' },
  { keys: ['F6'], action: 'qty', label: 'keys.qty' },
  { keys: ['F8'], action: 'clear', label: 'keys.clear' },
  { keys: ['F1'], action: 'help', label: 'keys.help' },
];

// The keys of dialogs, listed with the shortcuts but handled by the dialogs.
export const DIALOG_KEYS = [
  { keys: ['Enter'], label: 'keys.enter' },
  { keys: ['Esc'], label: 'keys.esc' },
];

const FUNCTION_KEY = /^F([1-9]|1[0-2])$/;

// shortcutFor answers the action of a key press, or null. e: {key, ctrlKey,
// altKey, metaKey}; dialog: a dialog is open (then only the help answers: the
// dialog has its own keys, and a key must not reach past it to the cart).
export function shortcutFor(e, { dialog = false } = {}) {
  if (!e || e.ctrlKey || e.altKey || e.metaKey || !FUNCTION_KEY.test(e.key)) return null;
  const s = SHORTCUTS.find((x) => x.keys.includes(e.key));
  if (!s) return null;
  if (dialog && s.action !== 'help') return null;
  return s.action;
}
