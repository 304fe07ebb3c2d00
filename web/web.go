// Package web holds the kiosk's user interface: the till, customer display,
// tourist self-service, manager and pairing pages, as static HTML, ES modules and
// CSS embedded in the binary (no CDN, no build step).
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static is the tree of UI files (index.html, till.html, js/, css/…).
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	return sub
}
