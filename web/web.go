// Package web holds the kiosk's user interface: the pages of the till, the
// customer display, the tourist self-service catalog, the manager and the
// pairing of a second screen, as plain HTML, CSS and ES modules embedded in the
// binary — no framework, no build step, nothing fetched from the internet at
// run time. The pages talk to the kiosk through its REST API and the websocket
// protocol of PROTOCOL.md; every business rule stays on the server.
//
// The static folder:
//
//	index.html, till.html, display.html, self.html, manager.html, pair.html
//	css/app.css          one stylesheet, landscape and portrait, 48 px targets
//	img/icon.svg
//	js/format.js         money (125.000 ₫), amounts typed by hand, cash suggestions, Vietnam time
//	js/i18n.js           every Vietnamese and English string
//	js/terms.js          the catalog's units, certifications and places in English
//	js/shortcuts.js      the till's keyboard shortcuts
//	js/scanner.js        barcode scanner detection from key timings
//	js/qr.js             QR encoder (matches go-qrcode module for module)
//	js/catalog.js        virtual-grid arithmetic, product queries, debounce
//	js/trace.js          which scans are trace links, and their local path
//	                     (the modules above are pure, no DOM, and tested with Node)
//	js/api.js, js/ws.js  REST calls (device token, PIN, errors); the websocket
//	js/ui.js, icons.js, qrcanvas.js, vgrid.js, cartview.js   shared DOM parts
//	js/till.js, checkout.js, display.js, self.js, pair.js, index.js
//	js/manager.js, mgrkit.js, mgrlots.js, mgrcatalog.js   the manager pages
//
// The JavaScript unit tests are in jstest/: node --test web/jstest/
//
// templates/ holds the server-rendered public pages (templates.go): the GS1
// Digital Link trace pages and the e-receipt, readable with no JavaScript.
// csp.go holds the Content-Security-Policy every answer of the kiosk and the
// hub carries, and the middleware that sets it.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Static returns the files of the static folder (the pages at its top, css/,
// js/ and img/ beside them), for the kiosk to serve under / and /static/.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic("web: embedded static folder missing: " + err.Error()) // cannot happen: the folder is embedded above
	}
	return sub
}
