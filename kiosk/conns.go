package kiosk

import (
	"bytes"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"
)

// How long the kiosk waits on a connection (README "Availability"). A request
// must arrive whole within the read timeout, so a client that sends half a
// request holds its connection that long and no longer; an answer must be
// taken within the write timeout; a kept-alive connection with no request is
// closed after the idle timeout. Websockets are exempt from all three once
// upgraded: they have their own ping and pong deadlines (ws.go).
const (
	DefaultReadTimeout = 10 * time.Second
	writeTimeout       = 30 * time.Second
	idleTimeout        = 60 * time.Second
	// A catalog import may carry MaxImportBody over a tablet's Wi-Fi, and a
	// backup may stream the whole store.
	importReadTimeout  = 2 * time.Minute
	backupWriteTimeout = 5 * time.Minute
)

// normalizeConns fills and checks the connection limits and timeouts.
func (c *Config) normalizeConns() error {
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.ReadTimeout < 500*time.Millisecond || c.ReadTimeout > 5*time.Minute {
		return fmt.Errorf("read timeout %s: want 500ms to 5m (how long a request may take to arrive)", c.ReadTimeout)
	}
	if err := c.Conns.Check(); err != nil {
		return err
	}
	c.Conns = c.Conns.WithDefaults()
	return nil
}

var (
	pathImport = []byte("/api/v1/catalog/import")
	// A zip of product pictures may be as large as a catalog; one picture
	// (a phone's photo) up to maxImageUpload.
	pathImportImages = []byte("/api/v1/catalog/images")
	pathProducts     = []byte("/api/v1/products/")
	pathImageSuffix  = []byte("/image")
	pathBackup       = []byte("/api/v1/backup")
	pathLots         = []byte("/api/v1/lots/")
	pathStampsSuffix = []byte("/stamps")
)

// requestLimits chooses, once a request's headers are in, how large its body
// may be and how long it may take. The server reads a whole body before any
// handler runs, so only the catalog import and its zip of pictures may send
// MaxImportBody, and a product's picture maxImageUpload: any other route
// takes MaxJSONBody, and a LAN flood cannot make the kiosk hold 32 MiB per
// connection.
func requestLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	path := h.RequestURI()
	if i := bytes.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	switch {
	case h.IsPost() && (bytes.Equal(path, pathImport) || bytes.Equal(path, pathImportImages)):
		return fasthttp.RequestConfig{MaxRequestBodySize: MaxImportBody, ReadTimeout: importReadTimeout}
	case h.IsPost() && bytes.HasPrefix(path, pathProducts) && bytes.HasSuffix(path, pathImageSuffix):
		return fasthttp.RequestConfig{MaxRequestBodySize: maxImageUpload, ReadTimeout: importReadTimeout}
	case h.IsPost() && bytes.HasPrefix(path, pathLots) && bytes.HasSuffix(path, pathStampsSuffix):
		// A run of 50,000 stamps is a PDF of tens of megabytes.
		return fasthttp.RequestConfig{MaxRequestBodySize: MaxJSONBody, WriteTimeout: backupWriteTimeout}
	case h.IsGet() && bytes.Equal(path, pathBackup):
		return fasthttp.RequestConfig{MaxRequestBodySize: MaxJSONBody, WriteTimeout: backupWriteTimeout}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: MaxJSONBody}
}
