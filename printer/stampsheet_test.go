package printer

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// needTool finds a command the stamp tests render or decode with. Locally a
// missing one skips the test; in CI (CI=true, .ci/packages installs them) it
// fails it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (.ci/packages lists it)", name)
		}
		t.Skipf("%s is not installed (Debian: poppler-utils, zbar-tools)", name)
	}
	return p
}

// pageQRs renders one page of a PDF at dpi with pdftoppm and answers every QR
// zbarimg finds on it, sorted.
func pageQRs(t *testing.T, pdf []byte, page, dpi int) []string {
	t.Helper()
	pdftoppm, zbarimg := needTool(t, "pdftoppm"), needTool(t, "zbarimg")
	dir := t.TempDir()
	in := filepath.Join(dir, "run.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	n := fmt.Sprint(page)
	out, err := exec.Command(pdftoppm, "-f", n, "-l", n, "-r", fmt.Sprint(dpi), "-gray", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm page %d: %v\n%s", page, err, out)
	}
	out, err = exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg page %d: %v (%s)", page, err, out)
	}
	var links []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			links = append(links, l)
		}
	}
	sort.Strings(links)
	return links
}

func testLink(i int) (string, string, error) {
	serial := fmt.Sprintf("%04d", 1001+i)
	return "https://trace.example.vn/01/08931234567895/10/UM2605-01/21/" + serial + "?17=270531", serial, nil
}

func TestEveryQROnAStampSheetDecodesToItsOwnStamp(t *testing.T) {
	for _, size := range []int{20, 25, 30} {
		t.Run(fmt.Sprintf("%dx%d mm stamps", size, size), func(t *testing.T) {
			cols, rows := StampGrid(size)
			per := cols * rows
			count := 2*per + 3 // two full sheets and three stamps on the last
			var buf bytes.Buffer
			_, err := WriteStampSheets(&buf, StampSheet{SizeMM: size, Name: "Mật ong U Minh Hạ", Stars: 4, Title: "test run",
				Count: count, Stamp: testLink})
			if err != nil {
				t.Fatal(err)
			}
			for _, page := range []int{1, 3} {
				got := pageQRs(t, buf.Bytes(), page, 600)
				first := (page - 1) * per
				want := []string{}
				for i := first; i < min(first+per, count); i++ {
					l, _, _ := testLink(i)
					want = append(want, l)
				}
				sort.Strings(want)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("page %d: decoded %d QRs, want %d:\n got %q\nwant %q", page, len(got), len(want), got, want)
				}
			}
		})
	}
}

func TestAStampSheetHasTheLayoutAPrintShopExpects(t *testing.T) {
	cases := []struct {
		size, cols, rows int
	}{{20, 8, 11}, {25, 6, 9}, {30, 5, 8}}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d mm stamps fit %d by %d on A4", c.size, c.cols, c.rows), func(t *testing.T) {
			cols, rows := StampGrid(c.size)
			if cols != c.cols || rows != c.rows {
				t.Errorf("grid %d×%d, want %d×%d", cols, rows, c.cols, c.rows)
			}
		})
	}
	t.Run("a name too long for the stamp is cut with an ellipsis, never spilling onto the next", func(t *testing.T) {
		name := strings.Repeat("Bánh phồng tôm NACAMA ", 5)
		l, err := newStampLayout(StampSheet{SizeMM: 20, Name: name, Stars: 5, Title: "t", Count: 1, Stamp: testLink})
		if err != nil {
			t.Fatal(err)
		}
		cut := fitText(l.regular, name, 20-2*stampPadding)
		if w := l.regular.TextWidth(cut); w > 20-2*stampPadding || !strings.HasSuffix(cut, "…") {
			t.Errorf("cut name %q is %.1f mm wide", cut, w)
		}
	})
	t.Run("a stamp whose link cannot be made stops the run with its number", func(t *testing.T) {
		_, err := WriteStampSheets(io.Discard, StampSheet{SizeMM: 25, Name: "x", Count: 3, Stamp: func(i int) (string, string, error) {
			if i == 2 {
				return "", "", fmt.Errorf("no link")
			}
			return testLink(i)
		}})
		if err == nil || !strings.Contains(err.Error(), "stamp 2") {
			t.Errorf("err = %v", err)
		}
	})
}

// syncBuffer is a buffer the test reads while the run writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) pagesWritten() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Count(b.buf.Bytes(), []byte("/Type/Page/"))
}

func TestAStampRunWritesItsSheetsAsItGoesNotAllAtTheEnd(t *testing.T) {
	// Three sheets of 25 mm stamps. When the last stamp is asked for, the
	// first sheet must already be in the writer: a run that held every
	// sheet until the end would need memory for all of them.
	cols, rows := StampGrid(25)
	count := 3 * cols * rows
	var out syncBuffer
	pagesBeforeLast := -1
	_, err := WriteStampSheets(&out, StampSheet{SizeMM: 25, Name: "Mật ong U Minh Hạ", Stars: 4, Title: "t", Count: count,
		Stamp: func(i int) (string, string, error) {
			if i == count-1 {
				pagesBeforeLast = out.pagesWritten()
			}
			return testLink(i)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if pagesBeforeLast < 1 {
		t.Errorf("%d sheets written when the last stamp was asked for, want the first at least", pagesBeforeLast)
	}
	if got := out.pagesWritten(); got != 3 {
		t.Errorf("%d sheets in the file, want 3", got)
	}
}

func TestNoQRImageAsksToBeSmoothed(t *testing.T) {
	var out bytes.Buffer
	if _, err := WriteStampSheets(&out, StampSheet{SizeMM: 20, Name: "x", Stars: 3, Title: "t", Count: 5, Stamp: testLink}); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out.Bytes(), []byte("/Subtype/Image")); n != 5 {
		t.Fatalf("%d images, want one a stamp", n)
	}
	if bytes.Contains(out.Bytes(), []byte("/Interpolate")) {
		t.Error("an image is marked /Interpolate: viewers and RIPs would print its QR with soft edges")
	}
}
