package einvoice

import (
	"strings"
	"testing"
)

// The provider's answers are outside input to the hub: whatever comes back,
// reading it must not panic, and an answer that is not OK delivers nothing.
func FuzzVNPTAnswer(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ImportAndPublishInvMTTResponse xmlns="http://tempuri.org/"><ImportAndPublishInvMTTResult>ERR:13</ImportAndPublishInvMTTResult></ImportAndPublishInvMTTResponse></soap:Body></soap:Envelope>`))
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>x</faultcode></soap:Fault></soap:Body></soap:Envelope>`))
	f.Add([]byte(`ERR:`))
	f.Fuzz(func(t *testing.T, data []byte) {
		answer, _, err := parseVNPTAnswer(data)
		if err != nil {
			return
		}
		code := errCode(answer)
		if strings.HasPrefix(strings.TrimSpace(answer), "ERR") && !strings.HasPrefix(code, "ERR") {
			t.Fatalf("answer %q read as code %q", answer, code)
		}
	})
}

// What a call carries is outside input to the emulator: it answers every list
// with OK or an ERR, never panics, and publishes only what it answers OK to.
func FuzzEmulatorList(f *testing.F) {
	f.Add(`<DSHDon><HDon><key>K1</key><DLHDon><TTChung><SHDon>1</SHDon><NLap>2026-01-02</NLap></TTChung></DLHDon><MCCQT>M</MCCQT></HDon></DSHDon>`)
	f.Add(`<DSHDon><HDon><key></key></HDon></DSHDon>`)
	f.Add(`<DSHDon>`)
	f.Fuzz(func(t *testing.T, list string) {
		e := NewEmulator()
		answer, _ := e.publish(publishCall{Account: e.Account, ACpass: e.ACPass, Username: e.Username, Password: e.Password,
			Pattern: "2", Serial: "C26MAA", XMLInvData: list})
		switch {
		case strings.HasPrefix(answer, "OK:"):
			if len(e.Published()) == 0 {
				t.Fatalf("OK with nothing published: %q", list)
			}
		case strings.HasPrefix(answer, "ERR:"):
			if len(e.Published()) != 0 {
				t.Fatalf("%s, yet published %v", answer, e.Published())
			}
		default:
			t.Fatalf("answer %q", answer)
		}
	})
}
