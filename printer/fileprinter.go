package printer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// filePrinter is the virtual printer, the kiosk's default: every job becomes
// DIR/NAME.bin (the exact bytes a real printer would get) and DIR/NAME.png (what
// it would print, drawn by the emulator). It is always ready.
//
// It keeps the files of the newest keep jobs (0: all): a fair's 40,000 sales
// would otherwise leave 40,000 previews behind. Newest is by the job id in the
// name (job-000123-…), a sequence, for the files found at start, and by the
// order of writing after that, so a clock set wrong removes nothing it should
// keep.
type filePrinter struct {
	mu   sync.Mutex
	dir  string
	p    Profile
	seq  int
	keep int
	jobs []string // names of the jobs whose files are in dir, oldest first
}

func openFilePrinter(dir string, p Profile, keep int) (Port, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("virtual printer folder %s: %w", dir, err)
	}
	f := &filePrinter{dir: dir, p: p, keep: keep}
	if keep > 0 {
		jobs, err := jobsInFolder(dir)
		if err != nil {
			return nil, fmt.Errorf("virtual printer folder %s: %w", dir, err)
		}
		f.jobs = jobs
		f.trim()
	}
	return f, nil
}

// jobsInFolder lists the jobs whose files are in dir, oldest first: files not
// named for a job id (print tests, unnamed writes) first, by name, then jobs by
// id. Files a crash left half-written (.tmp) are removed.
func jobsInFolder(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".tmp") {
			_ = os.Remove(filepath.Join(dir, n))
			continue
		}
		base, ok := strings.CutSuffix(n, ".bin")
		if !ok {
			base, ok = strings.CutSuffix(n, ".png")
		}
		if ok && !e.IsDir() && !seen[base] {
			seen[base] = true
			names = append(names, base)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		ia, oka := jobNumber(a)
		ib, okb := jobNumber(b)
		switch {
		case oka && okb && ia != ib:
			if ia < ib {
				return -1
			}
			return 1
		case oka != okb:
			if okb {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return names, nil
}

// jobNumber reads the id of a name like job-000123-receipt-….
func jobNumber(name string) (uint64, bool) {
	rest, ok := strings.CutPrefix(name, "job-")
	if !ok {
		return 0, false
	}
	digits, _, _ := strings.Cut(rest, "-")
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// kept records a job written now and removes the files of the oldest jobs
// beyond keep. Called with f.mu held.
func (f *filePrinter) kept(name string) {
	if f.keep <= 0 {
		return
	}
	if i := slices.Index(f.jobs, name); i >= 0 { // written again (a print test): now the newest
		f.jobs = slices.Delete(f.jobs, i, i+1)
	}
	f.jobs = append(f.jobs, name)
	f.trim()
}

func (f *filePrinter) trim() {
	n := len(f.jobs) - f.keep
	if n <= 0 {
		return
	}
	for _, name := range f.jobs[:n] {
		// A file that cannot be removed is left; the job is forgotten all the
		// same, or every later write would try it again.
		_ = os.Remove(filepath.Join(f.dir, name+".png"))
		_ = os.Remove(filepath.Join(f.dir, name+".bin"))
	}
	f.jobs = slices.Delete(f.jobs, 0, n)
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
	f.mu.Lock()
	defer f.mu.Unlock()
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
	f.kept(name)
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
