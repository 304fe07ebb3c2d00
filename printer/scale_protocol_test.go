package printer

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestContinuousLinesAreRead(t *testing.T) {
	cases := []struct {
		name string
		line string
		want Weighing
	}{
		{"a stable gross weight", "ST,GS,+  1.235kg", Weighing{Grams: 1235, Stable: true, State: ScaleOK}},
		{"an unstable weight", "US,GS,+  1.235kg", Weighing{Grams: 1235, State: ScaleUnstable}},
		{"a net weight", "ST,NT,+  0.500kg", Weighing{Grams: 500, Stable: true, State: ScaleOK, Net: true}},
		{"a weight under zero", "ST,NT,-  0.120kg", Weighing{Grams: -120, Stable: true, State: ScaleNegative, Net: true}},
		{"an overload", "OL,GS,+ 99.999kg", Weighing{State: ScaleOverload}},
		{"an underload", "UL,GS,-  0.000kg", Weighing{State: ScaleNegative}},
		{"the Selleton layout without a comma before the sign", "ST, GS+ 5.12KG", Weighing{Grams: 5120, Stable: true, State: ScaleOK}},
		{"the Dini Argeo layout with an RS-485 address and a comma before the unit", "01ST,GS,    0.0,kg", Weighing{Stable: true, State: ScaleOK}},
		{"grams with a decimal are rounded half up", "ST,GS,   245.5 g", Weighing{Grams: 246, Stable: true, State: ScaleOK}},
		{"the A&D layout with no mode", "ST,+00081.72  g", Weighing{Grams: 82, Stable: true, State: ScaleOK}},
		{"a fourth decimal of a kg is rounded half up", "ST,GS,+  1.2345kg", Weighing{Grams: 1235, Stable: true, State: ScaleOK}},
		{"lower-case status and an STX in front", "\x02st,gs,+1.000kg", Weighing{Grams: 1000, Stable: true, State: ScaleOK}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := parseContinuous([]byte(c.line))
			if err != nil || w != c.want {
				t.Fatalf("parseContinuous(%q) = %+v, %v; want %+v", c.line, w, err, c.want)
			}
		})
	}
	bad := []struct {
		name, line string
		unit       bool
	}{
		{"pounds are not taken for kg", "ST,GS,+  2.000lb", true},
		{"an empty line", "", false},
		{"a status alone", "ST", false},
		{"an unknown status", "XX,GS,+  1.000kg", false},
		{"two decimal points", "ST,GS,+1.0.0kg", false},
		{"no number", "ST,GS,+kg", false},
		{"no unit", "ST,GS,+  1.000", false},
		{"a weight beyond any shop scale", "ST,GS,+999999999kg", false},
		{"a sign inside the number", "ST,GS,1+1kg", false},
		{"line noise", "\x00\xff\x13garbage", false},
	}
	for _, c := range bad {
		t.Run("refused: "+c.name, func(t *testing.T) {
			w, err := parseContinuous([]byte(c.line))
			if err == nil {
				t.Fatalf("parseContinuous(%q) = %+v", c.line, w)
			}
			if errors.Is(err, errScaleUnit) != c.unit {
				t.Fatalf("parseContinuous(%q): %v", c.line, err)
			}
		})
	}
}

func TestToledo8217AnswersAreRead(t *testing.T) {
	cases := []struct {
		name string
		line string
		want Weighing
	}{
		{"a weight in kg", "\x0201.235", Weighing{Grams: 1235, Stable: true, State: ScaleOK}},
		{"a net weight", "\x0201.235N", Weighing{Grams: 1235, Stable: true, State: ScaleOK, Net: true}},
		{"leading spaces", "\x02 1.235", Weighing{Grams: 1235, Stable: true, State: ScaleOK}},
		{"a weight with its unit", "\x0201.235KG", Weighing{Grams: 1235, Stable: true, State: ScaleOK}},
		{"in motion", "\x02?A", Weighing{State: ScaleUnstable}},
		{"over capacity", "\x02?B", Weighing{State: ScaleOverload}},
		{"under zero", "\x02?D", Weighing{State: ScaleNegative}},
		{"a zero error", "\x02?H", Weighing{State: ScaleError}},
		{"net and in motion", "\x02?a", Weighing{State: ScaleUnstable, Net: true}},
		{"a status byte with its parity bit set", "\x02?\xc1", Weighing{State: ScaleUnstable}},
		{"noise before the STX", "#!\x02\x0203.000", Weighing{Grams: 3000, Stable: true, State: ScaleOK}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := parseToledo8217([]byte(c.line))
			if err != nil || w != c.want {
				t.Fatalf("parseToledo8217(%q) = %+v, %v; want %+v", c.line, w, err, c.want)
			}
		})
	}
	bad := []struct {
		name, line string
		unit       bool
	}{
		{"pounds (two decimals)", "\x02012.34", true},
		{"pounds by name", "\x0201.234LB", true},
		{"no STX", "01.235", false},
		{"a status that names no fault", "\x02?P", false},
		{"a status byte without bit 6", "\x02?\x01", false},
		{"no decimal point", "\x0201235", false},
		{"one decimal", "\x021.2", false},
		{"a sign", "\x02-1.235", false},
		{"nothing after STX", "\x02", false},
	}
	for _, c := range bad {
		t.Run("refused: "+c.name, func(t *testing.T) {
			w, err := parseToledo8217([]byte(c.line))
			if err == nil {
				t.Fatalf("parseToledo8217(%q) = %+v", c.line, w)
			}
			if errors.Is(err, errScaleUnit) != c.unit {
				t.Fatalf("parseToledo8217(%q): %v", c.line, err)
			}
		})
	}
}

// TestTheEmulatorsFramesReadBackAsItsWeight: whatever the emulator is set to,
// the kiosk's parser reads what a real scale of that protocol would show.
func TestTheEmulatorsFramesReadBackAsItsWeight(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, proto := range ScaleProtocols() {
		e, err := NewScaleEmulator(proto)
		if err != nil {
			t.Fatal(err)
		}
		p := scaleProtocols[proto]
		for range 2000 {
			grams := r.Int64N(120_000) - 2_000
			stable := r.IntN(3) > 0
			net := r.IntN(4) == 0
			e.Set(grams, stable)
			e.SetNet(net)
			var fr scaleFramer
			frames := fr.push(e.Frame())
			if len(frames) != 1 {
				t.Fatalf("%s: %d frames", proto, len(frames))
			}
			w, err := p.parse(frames[0])
			if err != nil {
				t.Fatalf("%s: %q: %v", proto, frames[0], err)
			}
			want := Weighing{Grams: grams, Stable: stable, Net: net, State: ScaleOK}
			switch {
			case grams < 0:
				want.State = ScaleNegative
			case !stable:
				want.State = ScaleUnstable
			}
			if proto == "toledo-8217" {
				// The 8217 protocol gives no weight unless it has a good one.
				switch {
				case grams > 99_999:
					want = Weighing{State: ScaleOverload, Net: net}
				case grams < 0 || !stable:
					want.Grams, want.Stable = 0, false
				}
			}
			if w != want {
				t.Fatalf("%s set to %d g stable %v net %v: frame %q reads %+v, want %+v", proto, grams, stable, net, frames[0], w, want)
			}
		}
		e.SetOverload()
		var fr scaleFramer
		if w, err := p.parse(fr.push(e.Frame())[0]); err != nil || w.State != ScaleOverload {
			t.Fatalf("%s overload reads %+v, %v", proto, w, err)
		}
	}
}

func TestTheFramerCutsAtLineEndsAndDropsRunsOfNoise(t *testing.T) {
	var fr scaleFramer
	var got []string
	in := "ST,GS,+1.000kg\r\nUS,GS,+1.0"
	for i := 0; i < len(in); i += 3 {
		for _, f := range fr.push([]byte(in[i:min(i+3, len(in))])) {
			got = append(got, string(f))
		}
	}
	for _, f := range fr.push([]byte("00kg\r")) {
		got = append(got, string(f))
	}
	if len(got) != 2 || got[0] != "ST,GS,+1.000kg" || got[1] != "US,GS,+1.000kg" {
		t.Fatalf("frames %q", got)
	}
	noise := make([]byte, 200)
	for i := range noise {
		noise[i] = 'x'
	}
	frames := fr.push(noise)
	for _, f := range frames {
		if len(f) > maxScaleFrame+1 {
			t.Fatalf("a frame of %d bytes", len(f))
		}
	}
	if len(frames) != 200/(maxScaleFrame+1) {
		t.Fatalf("%d frames of noise", len(frames))
	}
}

// FuzzScaleFrames: any bytes on the line, in any chunks, are cut into bounded
// frames, and each frame is either refused or read as a weight a shop scale can
// show, by both protocols, without a panic.
func FuzzScaleFrames(f *testing.F) {
	for _, s := range []string{"ST,GS,+  1.235kg\r\n", "US,NT,-  0.120kg\r\nOL,GS,+ 99.999kg\r\n", "\x0201.235N\r\x02?A\r",
		"01ST,GS,    0.0,kg\r\n", "ST,+00081.72  g\r\n", "\x00\xff\xfe\r\r\n\n", "ST,GS,+9999999.9999kg\n", "\x02?\xc1\r"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		n := int(chunk%16) + 1
		var fr scaleFramer
		for i := 0; i < len(data); i += n {
			for _, frame := range fr.push(data[i:min(i+n, len(data))]) {
				if len(frame) == 0 || len(frame) > maxScaleFrame+1 {
					t.Fatalf("frame of %d bytes", len(frame))
				}
				for _, p := range scaleProtocols {
					w, err := p.parse(frame)
					if err != nil {
						continue
					}
					switch w.State {
					case ScaleOK:
						if !w.Stable || w.Grams < 0 {
							t.Fatalf("%s: %q reads %+v", p.name, frame, w)
						}
					case ScaleUnstable, ScaleNegative, ScaleOverload, ScaleError:
						if w.State != ScaleNegative && w.Grams < 0 {
							t.Fatalf("%s: %q reads %+v", p.name, frame, w)
						}
					default:
						t.Fatalf("%s: %q reads state %q", p.name, frame, w.State)
					}
					if w.Grams > maxScaleGrams || w.Grams < -maxScaleGrams {
						t.Fatalf("%s: %q reads %d g", p.name, frame, w.Grams)
					}
				}
			}
		}
	})
}
