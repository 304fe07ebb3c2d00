package printer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// filePrinter is the virtual printer, the kiosk's default: every job becomes
// DIR/NAME.bin (the exact bytes a real printer would get) and DIR/NAME.png (what
// it would print, drawn by the emulator). It is always ready.
type filePrinter struct {
	mu  sync.Mutex
	dir string
	p   Profile
	seq int
}

func openFilePrinter(dir string, p Profile) (Port, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("virtual printer folder %s: %w", dir, err)
	}
	return &filePrinter{dir: dir, p: p}, nil
}

var reJobName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (f *filePrinter) Write(ctx context.Context, b []byte) error {
	f.mu.Lock()
	f.seq++
	name := fmt.Sprintf("%s-%03d", time.Now().Format("20060102-150405"), f.seq)
	f.mu.Unlock()
	return f.WriteJob(ctx, name, b)
}

// WriteJob writes the job's preview, then its bytes: each file appears whole
// (written under a temporary name and renamed), and a .bin is never there
// without its .png.
func (f *filePrinter) WriteJob(_ context.Context, name string, b []byte) error {
	name = reJobName.ReplaceAllString(name, "_")
	if f.p.Language != "tspl" { // the emulator reads ESC/POS; TSPL jobs keep only their bytes
		doc, err := Decode(b, f.p)
		if err != nil {
			return fmt.Errorf("virtual printer preview of %s: %w", name, err)
		}
		var png bytes.Buffer
		if err := doc.RenderPNG(&png); err != nil {
			return fmt.Errorf("virtual printer preview of %s: %w", name, err)
		}
		if err := writeAtomic(filepath.Join(f.dir, name+".png"), png.Bytes()); err != nil {
			return fmt.Errorf("virtual printer: %w", err)
		}
	}
	if err := writeAtomic(filepath.Join(f.dir, name+".bin"), b); err != nil {
		return fmt.Errorf("virtual printer: %w", err)
	}
	return nil
}

func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Query answers like a printer that is online with paper.
func (f *filePrinter) Query(_ context.Context, req []byte) (byte, error) {
	p, o, paper := StatusReplies(State{Known: true, Online: true})
	if len(req) == 3 {
		switch req[2] {
		case 2:
			return o, nil
		case 4:
			return paper, nil
		}
	}
	return p, nil
}

func (f *filePrinter) Close() error { return nil }
