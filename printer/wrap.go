package printer

import (
	"strings"
	"unicode"
)

// textWidth is the number of printer columns s takes: one per character, none for
// combining marks.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			n++
		}
	}
	return n
}

// Wrap breaks s into lines of at most cols columns, at spaces where it can and
// inside a word only when the word alone is longer than a line.
func Wrap(s string, cols int) []string {
	if cols < 1 {
		cols = 1
	}
	var lines []string
	var cur []rune
	curW := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(string(cur), " "))
		cur, curW = cur[:0], 0
	}
	for _, word := range strings.Fields(s) {
		w := []rune(word)
		ww := textWidth(word)
		if curW > 0 && curW+1+ww > cols {
			flush()
		}
		if curW > 0 {
			cur = append(cur, ' ')
			curW++
		}
		for ww > cols-curW {
			// Split a word longer than the room left on an empty line.
			take, width := 0, 0
			for take < len(w) && (width < cols-curW || unicode.Is(unicode.Mn, w[take])) {
				if !unicode.Is(unicode.Mn, w[take]) {
					width++
				}
				take++
			}
			cur = append(cur, w[:take]...)
			curW += width
			flush()
			w = w[take:]
			ww -= width
		}
		cur = append(cur, w...)
		curW += ww
	}
	if curW > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// wrapIndent wraps s like Wrap, keeping its leading spaces on every line: they
// set a row under its heading (a payment method under "by method").
func wrapIndent(s string, cols int) []string {
	rest := strings.TrimLeft(s, " ")
	indent := s[:len(s)-len(rest)]
	if len(indent) > cols/2 {
		indent = ""
	}
	lines := Wrap(rest, cols-len(indent))
	for i := range lines {
		lines[i] = indent + lines[i]
	}
	return lines
}

// longestWord is the width of the widest space-separated word of s.
func longestWord(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		n = max(n, textWidth(w))
	}
	return n
}

// PadRight pads s with spaces to cols columns (or cuts it).
func PadRight(s string, cols int) string {
	w := textWidth(s)
	if w >= cols {
		return s
	}
	return s + strings.Repeat(" ", cols-w)
}
