package printer

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScaleURLsAreReadAndChecked(t *testing.T) {
	good := []struct {
		name, url, protocol string
		data                int
		parity              byte
	}{
		{"the continuous protocol is the default, 8N1", "serial:/dev/ttyUSB1?baud=9600", "continuous", 8, 'N'},
		{"toledo-8217 defaults to 7 data bits and even parity", "serial:/dev/ttyUSB1?baud=9600&protocol=toledo-8217", "toledo-8217", 7, 'E'},
		{"line settings in the URL win", "serial:COM4?protocol=toledo-8217&data=8&parity=N", "toledo-8217", 8, 'N'},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			st, err := ParseScaleURL(c.url)
			if err != nil {
				t.Fatal(err)
			}
			set, err := st.line.serialConfig()
			if err != nil {
				t.Fatal(err)
			}
			if st.Protocol != c.protocol || set.DataBits != c.data || set.Parity != c.parity {
				t.Fatalf("%s: protocol %s, %d%c", c.url, st.Protocol, set.DataBits, set.Parity)
			}
		})
	}
	bad := []struct{ name, url, says string }{
		{"a network scale is not a serial one", "tcp://192.0.2.1:4001", "want serial:"},
		{"an unknown protocol is named", "serial:/dev/ttyUSB1?protocol=cas", "continuous, toledo-8217"},
		{"a misspelt setting is refused", "serial:/dev/ttyUSB1?protocl=continuous", "unknown setting"},
		{"a baud rate out of range is refused", "serial:/dev/ttyUSB1?baud=12", "baud"},
		{"a URL without a device is refused", "serial:?baud=9600", "no device"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParseScaleURL(c.url); err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("ParseScaleURL(%q) = %v; want an error saying %q", c.url, err, c.says)
			}
		})
	}
}

// scaleLine is a scale emulator on one end of a socat pty pair and the
// kiosk's Scale reading the other end.
type scaleLine struct {
	pty   *ptyPair
	emu   *ScaleEmulator
	scale *Scale
	stop  func() // the emulator's end: stops serving and closes it
}

func startScaleLine(t *testing.T, protocol string) *scaleLine {
	t.Helper()
	return startScaleLineAs(t, protocol, protocol)
}

// startScaleLineAs runs an emulator speaking emulated while the kiosk reads
// the line as protocol.
func startScaleLineAs(t *testing.T, protocol, emulated string) *scaleLine {
	t.Helper()
	dir := t.TempDir()
	l := &scaleLine{pty: startPTYAt(t, filepath.Join(dir, "kiosk-tty"), filepath.Join(dir, "scale-tty"))}
	var err error
	if l.emu, err = NewScaleEmulator(emulated); err != nil {
		t.Fatal(err)
	}
	l.serve(t)
	target, err := ParseScaleURL("serial:" + l.pty.kiosk + "?baud=9600&protocol=" + protocol)
	if err != nil {
		t.Fatal(err)
	}
	l.scale = NewScale(target, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.scale.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return l
}

// serve runs the emulator on the scale's end of the pty pair.
func (l *scaleLine) serve(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(l.pty.printer, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = l.emu.Serve(ctx, f); close(done) }()
	stopped := false
	l.stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
			f.Close()
		}
	}
	t.Cleanup(l.stop)
}

// until waits for the scale to show a reading cond accepts, and checks on
// the way that no reading it shows as current is older than StaleAfter.
func (l *scaleLine) until(t *testing.T, what string, cond func(ScaleReading) bool) ScaleReading {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var r ScaleReading
	for time.Now().Before(deadline) {
		r = l.scale.Reading()
		if r.State != ScaleOffline && (r.AgeMS == nil || *r.AgeMS > StaleAfter.Milliseconds()) {
			age := "none"
			if r.AgeMS != nil {
				age = time.Duration(*r.AgeMS * int64(time.Millisecond)).String()
			}
			t.Fatalf("a reading shown as current is stale: %+v, read %s ago", r, age)
		}
		if cond(r) {
			return r
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the scale never showed %s; last %+v", what, r)
	return r
}

func showing(grams int64, state ScaleState) func(ScaleReading) bool {
	return func(r ScaleReading) bool { return r.Grams == grams && r.State == state }
}

func TestEachProtocolReadsTheWeightOnTheScale(t *testing.T) {
	for _, proto := range ScaleProtocols() {
		t.Run(proto, func(t *testing.T) {
			l := startScaleLine(t, proto)
			l.emu.Set(1235, true)
			r := l.until(t, "1235 g, stable", showing(1235, ScaleOK))
			if !r.Stable || r.Detail != "" {
				t.Fatalf("reading %+v", r)
			}
			l.emu.SetNet(true)
			l.emu.Set(500, true)
			l.until(t, "500 g net", func(r ScaleReading) bool { return r.Grams == 500 && r.Net })
			l.emu.SetOverload()
			l.until(t, "an overload", showing(0, ScaleOverload))
			l.emu.Set(-120, true)
			l.until(t, "under zero", func(r ScaleReading) bool { return r.State == ScaleNegative && !r.Stable == (proto == "toledo-8217") })
			if proto == "toledo-8217" && l.emu.Requests() == 0 {
				t.Fatal("the kiosk never asked the 8217 scale")
			}
		})
	}
}

func TestAnUnstableWeightBecomesStable(t *testing.T) {
	for _, proto := range ScaleProtocols() {
		t.Run(proto, func(t *testing.T) {
			l := startScaleLine(t, proto)
			l.emu.Set(980, false)
			r := l.until(t, "an unstable weight", func(r ScaleReading) bool { return r.State == ScaleUnstable })
			if r.Stable {
				t.Fatalf("unstable reading says stable: %+v", r)
			}
			if want := map[string]int64{"continuous": 980, "toledo-8217": 0}[proto]; r.Grams != want {
				t.Fatalf("unstable reading %+v, want %d g", r, want)
			}
			l.emu.Set(1010, true)
			if r := l.until(t, "1010 g stable", showing(1010, ScaleOK)); !r.Stable {
				t.Fatalf("stable reading %+v", r)
			}
		})
	}
}

func TestAScaleUnpluggedMidReadingGoesOffline(t *testing.T) {
	for _, proto := range ScaleProtocols() {
		t.Run(proto, func(t *testing.T) {
			l := startScaleLine(t, proto)
			l.emu.Set(2500, false)
			l.until(t, "a weight", func(r ScaleReading) bool { return r.State == ScaleUnstable })
			l.emu.Unplug() // the cable comes out at the scale's end
			r := l.until(t, "offline", func(r ScaleReading) bool { return r.State == ScaleOffline })
			if r.Grams != 0 || r.Stable || r.Detail == "" {
				t.Fatalf("offline reading %+v", r)
			}
			l.emu.Set(2500, true)
			l.emu.Plug()
			l.until(t, "the weight again", showing(2500, ScaleOK))
		})
	}
}

func TestAScalePortPulledOutGoesOfflineAndComesBack(t *testing.T) {
	for _, proto := range ScaleProtocols() {
		t.Run(proto, func(t *testing.T) {
			l := startScaleLine(t, proto)
			l.emu.Set(750, true)
			l.until(t, "750 g", showing(750, ScaleOK))
			// The USB adapter comes out: both ends of the line vanish.
			l.stop()
			l.pty.kill()
			r := l.until(t, "offline, saying why", func(r ScaleReading) bool {
				return r.State == ScaleOffline && (strings.Contains(r.Detail, "lost") || strings.Contains(r.Detail, "cannot open"))
			})
			if r.Grams != 0 {
				t.Fatalf("offline reading %+v", r)
			}
			// And goes back in.
			l.pty = startPTYAt(t, l.pty.kiosk, l.pty.printer)
			l.emu.Set(760, true)
			l.serve(t)
			l.until(t, "760 g after the port came back", showing(760, ScaleOK))
		})
	}
}

func TestGarbageOnTheLineIsSkipped(t *testing.T) {
	for _, proto := range ScaleProtocols() {
		t.Run(proto, func(t *testing.T) {
			l := startScaleLine(t, proto)
			l.emu.Set(1500, true)
			l.until(t, "1500 g", showing(1500, ScaleOK))
			noise := [][]byte{
				[]byte("\x00\xff\xfe\x13\x11"),                      // a wrong baud rate's bytes
				[]byte(strings.Repeat("#", 300)),                    // a run with no line end
				[]byte("ST,GS,+  9.9"),                              // a frame torn off
				[]byte("\r\nST,GS,+ 1.2.3kg\r\n\x02?P\r\x0201.2\r"), // frames of no meaning
			}
			for round := range 8 {
				l.emu.Noise(noise[round%len(noise)])
				time.Sleep(150 * time.Millisecond)
				r := l.scale.Reading()
				if r.State != ScaleOK || r.Grams != 1500 {
					t.Fatalf("after noise %q the scale shows %+v", noise[round%len(noise)], r)
				}
			}
		})
	}
}

func TestAScaleSpeakingAnotherProtocolIsOfflineSayingSo(t *testing.T) {
	l := startScaleLineAs(t, "toledo-8217", "continuous")
	l.emu.Set(1000, true)
	r := l.until(t, "offline with a reason", func(r ScaleReading) bool {
		return r.State == ScaleOffline && strings.Contains(r.Detail, "does not read")
	})
	if !strings.Contains(r.Detail, "ST,GS") {
		t.Fatalf("the reason does not show what came: %q", r.Detail)
	}
}
