package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// The Content-Security-Policy of every answer of the kiosk and the hub. The
// pages load only what the kiosk serves itself: its scripts (ES modules under
// /static/js, never inline), its stylesheet and font, its images. A product
// image with an outside address, an injected <script> or a style smuggled into
// a page is refused by the browser, which then fetches nothing. The server-
// rendered pages (trace pages, e-receipts, the hub's reports) carry their CSS
// in one <style> element each, allowed by its hash, so they stay one small
// request readable with no JavaScript.
//
//   - connect-src 'self' covers the screens' REST calls and their websocket
//     (CSP Level 3 matches ws:// and wss:// to the page's own host and port).
//   - frame-src and frame-ancestors 'self': the self-service screen shows a
//     trace page of the kiosk in a frame; no other site may frame a page.
//   - img-src 'self': no data: or blob: images, since no page draws one (the
//     QR codes on the screens are drawn on a canvas).
//   - form-action 'self', base-uri 'none', and 'none' for everything else
//     (objects, media, workers, manifests).
var contentSecurityPolicy = buildPolicy()

// HeaderCSP is the header the policy travels in.
const HeaderCSP = "Content-Security-Policy"

// ContentSecurityPolicy is the policy every answer carries.
func ContentSecurityPolicy() string { return contentSecurityPolicy }

// SecurityHeaders is the middleware, first on the kiosk's and the hub's routes,
// that sets the policy on every answer. A handler may set a stricter one
// after it (the hub's chart, an SVG, does).
func SecurityHeaders(c *fiber.Ctx) error {
	c.Set(HeaderCSP, contentSecurityPolicy)
	return c.Next()
}

var reStyle = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// StyleHashes are the CSP hashes ('sha256-…') of the <style> elements the
// server-rendered pages hold: the public pages' "style" and the hub's
// "hubhead". Each is rendered here exactly as a page renders it.
func StyleHashes() []string {
	var out []string
	for _, part := range []struct {
		t    *template.Template
		name string
	}{{pages, "style"}, {hubPages, "hubhead"}} {
		var b bytes.Buffer
		if err := part.t.ExecuteTemplate(&b, part.name, nil); err != nil {
			panic("web: style template " + part.name + ": " + err.Error()) // cannot happen: the templates are embedded and parsed at start
		}
		for _, m := range reStyle.FindAllSubmatch(b.Bytes(), -1) {
			out = append(out, StyleHash(m[1]))
		}
	}
	return out
}

// StyleHash is the CSP source expression that allows one inline <style>
// element's text.
func StyleHash(css []byte) string {
	sum := sha256.Sum256(css)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func buildPolicy() string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' " + strings.Join(StyleHashes(), " "),
		"img-src 'self'",
		"font-src 'self'",
		"connect-src 'self'",
		"frame-src 'self'",
		"frame-ancestors 'self'",
		"form-action 'self'",
		"base-uri 'none'",
	}, "; ")
}

var reportPolicy = strings.Join([]string{
	"default-src 'none'",
	"style-src " + strings.Join(StyleHashes(), " "),
	"img-src 'self'",
	"frame-ancestors 'none'",
	"form-action 'self'",
	"base-uri 'none'",
}, "; ")

// ReportPolicy is the stricter policy of the hub's report pages: no script at
// all, their own <style> and chart, forms to the hub, framed by no one.
func ReportPolicy() string { return reportPolicy }
