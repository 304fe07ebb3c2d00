package kiosk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ocop-kiosk/kiosk/pos"
)

// longFairSales is how many sales BenchmarkLongFair100k puts in the store
// (KIOSK_BENCH_FAIR_SALES overrides it).
func longFairSales() int {
	if n, err := strconv.Atoi(os.Getenv("KIOSK_BENCH_FAIR_SALES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// printerSink is a network receipt printer on loopback that takes everything.
func printerSink(tb testing.TB) string {
	tb.Helper()
	sink, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sink.Close() })
	go func() {
		for {
			c, err := sink.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	return "tcp://" + sink.Addr().String() + "?status=0"
}

var longFair struct {
	once    sync.Once
	dir     string
	printer string
	err     error
}

// longFairStore sells the fair's sales once per test binary: through the HTTP
// API, 32 tills at once, receipts printed, one shift left open all along (the
// worst case for its X-report), a stock adjustment every 500 sales.
func longFairStore(b *testing.B) (dir, printerURL string) {
	longFair.once.Do(func() {
		longFair.dir, longFair.err = os.MkdirTemp("", "long-fair-")
		if longFair.err != nil {
			return
		}
		longFair.printer = printerSink(b)
		k := startKiosk(b, longFair.dir, func(c *Config) { c.Printers = map[string]string{"receipt": longFair.printer} })
		defer func() {
			// Over a real fair the kiosk trims its print history as it goes;
			// selling 100,000 sales in seconds leaves that undone, so it is done
			// here, and the benchmark sees the store as a fair leaves it.
			k.stop()
			st, err := pos.Open(filepath.Join(longFair.dir, "kiosk.db"), pos.StoreOptions{})
			if err != nil {
				longFair.err = err
				return
			}
			defer st.Close()
			if _, err := st.TrimPrintJobs(Defaults().PrintHistory); err != nil {
				longFair.err = err
			}
		}()
		n := longFairSales()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		post := func(path string, body []byte, pin bool) error {
			req, _ := http.NewRequest("POST", k.url+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if pin {
				req.Header.Set("X-Manager-Pin", testPIN)
			}
			res, err := client.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode >= 300 {
				return fmt.Errorf("%s: %s", path, res.Status)
			}
			return nil
		}
		for _, sku := range []string{"CM-MO-500", "BT-KD-400", "TV-GHC-5"} {
			if err := post("/api/v1/stock/"+sku, []byte(fmt.Sprintf(`{"delta":%d,"reason":"delivery"}`, min(3*n, 1_000_000))), true); err != nil {
				longFair.err = err
				return
			}
		}
		body, _ := json.Marshal(map[string]any{
			"lines":    []map[string]any{{"sku": "CM-MO-500", "qty": 1}, {"sku": "BT-KD-400", "qty": 2}, {"sku": "TV-GHC-5", "qty": 1}},
			"payments": []map[string]any{{"method": "cash", "amount": 2_000_000}},
		})
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for w := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 32 {
					if err := post("/api/v1/sales", body, false); err != nil {
						errs <- err
						return
					}
					if i%500 == 0 {
						if err := post("/api/v1/stock/CM-MO-500", []byte(`{"delta":1,"reason":"found a jar"}`), true); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			longFair.err = err
			return
		}
		// Wait for the receipts to print, as they would over a fair.
		deadline := time.Now().Add(5 * time.Minute)
		for {
			var jobs struct {
				Jobs []json.RawMessage `json:"jobs"`
			}
			res, err := client.Get(k.url + "/api/v1/print-jobs?state=pending&limit=1")
			if err == nil {
				_ = json.NewDecoder(res.Body).Decode(&jobs)
				res.Body.Close()
				if len(jobs.Jobs) == 0 {
					break
				}
			}
			if time.Now().After(deadline) {
				longFair.err = fmt.Errorf("receipts still printing after 5 minutes")
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	if longFair.err != nil {
		b.Fatal(longFair.err)
	}
	return longFair.dir, longFair.printer
}

func rssKB(pid int) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(l)[1])
			return n
		}
	}
	return 0
}

// BenchmarkLongFair100k is a long fair's store: 100,000 sales. Each round
// starts the kiosk binary on it and reports the store's size, the time from
// starting the process to serving, its resident memory after the manager
// pages' calls, and the slowest of those calls (each asked three times).
func BenchmarkLongFair100k(b *testing.B) {
	if testing.Short() {
		b.Skip("sells 100,000 sales")
	}
	dir, printerURL := longFairStore(b)
	bin, err := buildKiosk()
	if err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "kiosk.db"))
	if err != nil {
		b.Fatal(err)
	}
	calls := []string{"/api/v1/shifts/current", "/api/v1/sales?order=desc&limit=50", "/api/v1/sales?q=K01-000123",
		"/api/v1/shifts?limit=50", "/api/v1/stock/moves?limit=30", "/api/v1/print-jobs?state=printed&limit=100",
		"/api/v1/print-jobs", "/api/v1/sync", "/api/v1/printers", "/api/v1/products?limit=50", "/api/v1/producers",
		"/api/v1/lots", "/api/v1/scans/flagged", "/api/v1/devices", "/healthz"}
	var startWorst, callWorst time.Duration
	var worstCall string
	rss := 0
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		p := startCmd(b, exec.Command(bin, "-addr", "127.0.0.1:0", "-data", dir, "-manager-pin", testPIN, "-printer", "receipt="+printerURL))
		startWorst = max(startWorst, time.Since(t0))
		for range 3 {
			for _, path := range calls {
				req, _ := http.NewRequest("GET", p.url+path, nil)
				req.Header.Set("X-Manager-Pin", testPIN)
				c0 := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if d := time.Since(c0); d > callWorst {
					callWorst, worstCall = d, path
				}
				if res.StatusCode != 200 {
					b.Fatalf("%s: %s", path, res.Status)
				}
			}
		}
		rss = max(rss, rssKB(p.cmd.Process.Pid))
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(fi.Size())/(1<<20), "store-MB")
	b.ReportMetric(float64(startWorst.Milliseconds()), "start-ms")
	b.ReportMetric(float64(rss)/1024, "RSS-MB")
	b.ReportMetric(float64(callWorst.Microseconds())/1000, "slowest-call-ms")
	b.Logf("%d sales; slowest call %s", longFairSales(), worstCall)
}

// TestMain removes the long fair's store, which benchmark rounds share.
func TestMain(m *testing.M) {
	code := m.Run()
	if longFair.dir != "" {
		os.RemoveAll(longFair.dir)
	}
	os.Exit(code)
}
