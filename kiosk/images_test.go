package kiosk

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// photo is a w×h picture as a phone would take it: a red top-left quarter
// (to tell which way up it came out) over noise, which no encoder shrinks.
func photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
			if x < w/2 && y < h/2 {
				c = color.NRGBA{230, 0, 0, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func jpegOf(t *testing.T, img image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withOrientation puts an EXIF block with the orientation tag right after a
// JPEG's start, as cameras do (with a GPS-ish note to be left behind).
func withOrientation(jpg []byte, o uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("II")
	_ = binary.Write(&tiff, binary.LittleEndian, uint16(42))
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(8))
	_ = binary.Write(&tiff, binary.LittleEndian, uint16(1))                       // one entry
	_ = binary.Write(&tiff, binary.LittleEndian, []uint16{0x0112, 3, 1, 0, o, 0}) // tag, SHORT, count 1, value
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(0))
	tiff.WriteString("GPS 9.17N 105.15E")
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func decodePicture(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the kiosk served what is not a picture: %v", err)
	}
	return img
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xb000 && g < 0x5000 && b < 0x5000
}

func (k *testKiosk) pictures(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(k.cfg.DataDir, imagesDir))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestAProductPictureIsShrunkTurnedUprightAndServedWithCaching(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	// 1600×1200 of noise: over a megabyte, as a phone's photo is, taken with
	// the phone turned (EXIF orientation 6: show it turned right).
	upload := withOrientation(jpegOf(t, photo(1600, 1200), 95), 6)
	if len(upload) < MaxJSONBody {
		t.Fatalf("the test picture is %d bytes; it should be larger than a JSON body may be", len(upload))
	}
	r := k.do("POST", "/api/v1/products/CM-MO-500/image", upload, "X-Manager-Pin", testPIN, "Content-Type", "image/jpeg")
	if r.Status != 200 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var ans struct {
		Image, URL string
	}
	r.json(t, &ans)
	if ans.Image != "cm-mo-500.jpg" || ans.URL != "/img/cm-mo-500.jpg" || k.product("CM-MO-500").Image != "cm-mo-500.jpg" {
		t.Fatalf("answer %+v, product image %q", ans, k.product("CM-MO-500").Image)
	}

	got := k.do("GET", ans.URL, nil)
	if got.Status != 200 || got.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET %s: %d %s", ans.URL, got.Status, got.Header.Get("Content-Type"))
	}
	img := decodePicture(t, got.Body)
	// Upright: 1200 wide by 1600 high, shrunk to 360×480; the red quarter,
	// top left as the camera saw it, is now top right.
	if b := img.Bounds(); b.Dx() != 360 || b.Dy() != 480 {
		t.Errorf("thumbnail is %dx%d, want 360x480", b.Dx(), b.Dy())
	}
	if !isRed(img.At(300, 60)) || isRed(img.At(60, 60)) {
		t.Errorf("the picture was not turned upright: top right %v, top left %v", img.At(300, 60), img.At(60, 60))
	}
	if len(got.Body) > 120<<10 {
		t.Errorf("thumbnail is %d bytes", len(got.Body))
	}
	if bytes.Contains(got.Body, []byte("Exif")) || bytes.Contains(got.Body, []byte("GPS")) {
		t.Error("the thumbnail kept the camera's EXIF block")
	}

	etag := got.Header.Get("ETag")
	if etag == "" || got.Header.Get("Cache-Control") != "no-cache" || got.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("caching headers: ETag %q, Cache-Control %q, nosniff %q", etag, got.Header.Get("Cache-Control"), got.Header.Get("X-Content-Type-Options"))
	}
	again := k.do("GET", ans.URL, nil, "If-None-Match", etag)
	if again.Status != 304 || len(again.Body) != 0 {
		t.Errorf("a screen that has the picture: %d with %d bytes, want 304 and none", again.Status, len(again.Body))
	}
	// A new picture for the product is a new ETag: screens fetch it again.
	if r := k.do("POST", "/api/v1/products/CM-MO-500/image", pngOf(t, photo(300, 200)), "X-Manager-Pin", testPIN); r.Status != 200 {
		t.Fatalf("second upload: %d %s", r.Status, r.Body)
	}
	if k.product("CM-MO-500").Image != "cm-mo-500.png" {
		t.Fatalf("after a PNG the image is %q", k.product("CM-MO-500").Image)
	}
	png := k.do("GET", "/img/cm-mo-500.png", nil, "If-None-Match", etag)
	if png.Status != 200 || png.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the PNG: %d %s", png.Status, png.Header.Get("Content-Type"))
	}
	if b := decodePicture(t, png.Body).Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Errorf("a picture smaller than a thumbnail keeps its size: got %dx%d", b.Dx(), b.Dy())
	}
}

func TestBadPicturesAreRefusedAndChangeNothing(t *testing.T) {
	k := startKiosk(t, t.TempDir())
	good := jpegOf(t, photo(64, 48), 80)
	// A PNG whose header claims 20000×20000 pixels: refused before decoding.
	huge := pngOf(t, photo(8, 8))
	binary.BigEndian.PutUint32(huge[16:], 20000)
	binary.BigEndian.PutUint32(huge[20:], 20000)
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	for _, tt := range []struct {
		name    string
		path    string
		body    []byte
		headers []string
		status  int
		code    string
	}{
		{"text that is not a picture", "/api/v1/products/CM-MO-500/image", []byte("hello, not a photo"), nil, 422, "bad_image"},
		{"a GIF", "/api/v1/products/CM-MO-500/image", gif, nil, 422, "bad_image"},
		{"a JPEG cut short", "/api/v1/products/CM-MO-500/image", good[:len(good)/2], nil, 422, "bad_image"},
		{"a picture of 400 megapixels", "/api/v1/products/CM-MO-500/image", huge, nil, 422, "bad_image"},
		{"no picture at all", "/api/v1/products/CM-MO-500/image", []byte{}, nil, 422, "bad_image"},
		{"a product that does not exist", "/api/v1/products/NOPE/image", good, nil, 422, "unknown_sku"},
		{"no manager PIN", "/api/v1/products/CM-MO-500/image", good, []string{"X-Manager-Pin", ""}, 401, "pin_required"},
		{"a zip that is not one", "/api/v1/catalog/images", good, nil, 422, "bad_image"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := append([]string{"X-Manager-Pin", testPIN, "Content-Type", "application/octet-stream"}, tt.headers...)
			r := k.do("POST", tt.path, tt.body, h...)
			if r.Status != tt.status || r.errCode(t) != tt.code {
				t.Fatalf("%d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
	if got := k.product("CM-MO-500").Image; got != "" {
		t.Errorf("the product's image became %q", got)
	}
	if names := k.pictures(t); len(names) != 0 {
		t.Errorf("pictures stored: %q", names)
	}
	t.Run("a picture larger than the upload limit is refused before it is read", func(t *testing.T) {
		head := fmt.Sprintf("POST /api/v1/products/CM-MO-500/image HTTP/1.1\r\nHost: kiosk\r\nX-Manager-Pin: %s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", testPIN, maxImageUpload+1)
		if got := rawRequest(t, k, head, 3*time.Second); !strings.HasPrefix(got, "HTTP/1.1 413") {
			t.Fatalf("answered %q, want 413 before the body", got)
		}
		head = fmt.Sprintf("POST /api/v1/products/CM-MO-500/image HTTP/1.1\r\nHost: kiosk\r\nX-Manager-Pin: %s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", testPIN, 8<<20)
		if got := rawRequest(t, k, head, 500*time.Millisecond); !strings.HasPrefix(got, "no answer") {
			t.Fatalf("a photo of 8 MiB: answered %q before the body came", got)
		}
	})
	for _, path := range []string{"/img/kiosk.db", "/img/..%2Fkiosk.db", "/img/control.token", "/img/nothing.jpg"} {
		if r := k.do("GET", path, nil); r.Status != 404 || bytes.Contains(r.Body, []byte("bbolt")) {
			t.Errorf("GET %s: %d, want 404", path, r.Status)
		}
	}
}

func zipOf(t *testing.T, files ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[i+1].([]byte)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAZipOfPicturesIsStoredWholeOrNotAtAll(t *testing.T) {
	dir := t.TempDir()
	k := startKiosk(t, dir)
	setProductImage(t, k, "CM-MO-500", "mo-500.jpg")
	setProductImage(t, k, "CM-MO-250", "/img/mo-250.png")
	setProductImage(t, k, "BT-KD-400", "keo-dua.jpg") // not in the zip
	jpg, pngb := jpegOf(t, photo(900, 600), 85), pngOf(t, photo(40, 30))
	send := func(z []byte) resp {
		return k.do("POST", "/api/v1/catalog/images", z, "X-Manager-Pin", testPIN, "Content-Type", "application/zip")
	}

	for _, tt := range []struct {
		name  string
		zip   []byte
		which string // the file the refusal names
	}{
		{"a picture that is not one", zipOf(t, "mo-500.jpg", jpg, "mo-250.png", []byte("not a png")), "mo-250.png"},
		{"a JPEG named .png", zipOf(t, "mo-500.jpg", jpg, "mo-250.png", jpg), "mo-250.png"},
		{"two pictures of one name", zipOf(t, "a/mo-500.jpg", jpg, "b/MO-500.JPG", jpg), "b/MO-500.JPG"},
		{"a name with a space", zipOf(t, "mo-500.jpg", jpg, "mật ong.jpg", jpg), "mật ong.jpg"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := send(tt.zip)
			if r.Status != 422 || r.errCode(t) != "bad_image" || !strings.Contains(string(r.Body), tt.which) {
				t.Fatalf("%d %s: want 422 bad_image naming %s", r.Status, r.Body, tt.which)
			}
			if names := k.pictures(t); len(names) != 0 {
				t.Fatalf("a refused zip stored %q", names)
			}
		})
	}

	// Folders in the zip, upper-case names, a spreadsheet and macOS's
	// resource forks beside the pictures; a name that climbs out of the
	// folder lands inside it, as its file name.
	r := send(zipOf(t, "pictures/mo-500.jpg", jpg, "MO-250.PNG", pngb, "catalog.xlsx", []byte("PK"),
		"__MACOSX/pictures/._mo-500.jpg", []byte("junk"), "../../escape.jpg", jpg))
	if r.Status != 200 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var ans struct{ Stored, Skipped, Missing []string }
	r.json(t, &ans)
	if !slices.Equal(ans.Stored, []string{"escape.jpg", "mo-250.png", "mo-500.jpg"}) || !slices.Equal(ans.Skipped, []string{"catalog.xlsx"}) ||
		!slices.Equal(ans.Missing, []string{"BT-KD-400"}) {
		t.Fatalf("answer %+v", ans)
	}
	if names := k.pictures(t); !slices.Equal(names, ans.Stored) {
		t.Fatalf("the pictures folder holds %q", names)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "escape.jpg")); err == nil {
		t.Fatal("a zip entry was written outside the pictures folder")
	}
	for _, path := range []string{"/img/mo-500.jpg", "/img/mo-250.png"} {
		if got := k.do("GET", path, nil); got.Status != 200 {
			t.Errorf("GET %s: %d", path, got.Status)
		}
	}
	if b := decodePicture(t, k.do("GET", "/img/mo-500.jpg", nil).Body).Bounds(); b.Dx() != 480 || b.Dy() != 320 {
		t.Errorf("mo-500.jpg is %dx%d, want 480x320", b.Dx(), b.Dy())
	}
}
