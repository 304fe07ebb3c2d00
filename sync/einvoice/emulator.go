package einvoice

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// Emulator is VNPT's MTT service as the tests and a demo meet it: a real SOAP
// server (net/http: it stands in for the provider's server, not the hub's)
// that answers ImportAndPublishInvMTT as VNPT's guide says — publishing a list
// whole or not at all, ERR13 for a Fkey it has, ERR30 for a date before one
// published in the series, ERR15 for a date after today, ERR21 for a number it
// has, ERR1 for wrong credentials — keeps what it published, in order, and
// has faults to switch on: down, slow, answers lost after publishing, one
// invoice refused.
type Emulator struct {
	// The one account it knows.
	Account, ACPass, Username, Password string
	// Now is the provider's clock (today, for ERR15).
	Now func() time.Time

	mu        gosync.Mutex
	down      bool
	delay     time.Duration
	drop      int               // answers to lose after publishing
	refuse    map[string]string // Fkey → the ERR code to answer
	published []Published
	byKey     map[string]bool
	numbers   map[string]map[int64]bool // series → numbers published
	lastDate  map[string]string         // series → the latest issue date published
	calls     int
}

// Published is one invoice the emulator published.
type Published struct {
	Key     string `json:"key"`
	Pattern string `json:"pattern"`
	Serial  string `json:"serial"`
	Number  int64  `json:"number"`
	Date    string `json:"date"`
	MCCQT   string `json:"mccqt"`
}

// Emulator's account unless set otherwise (`hub einvoice-emulator` prints it).
const (
	EmulatorAccount  = "ocopdemo"
	EmulatorACPass   = "ocopdemo-ac"
	EmulatorUsername = "ocopservice"
	EmulatorPassword = "ocopservice-pw"
)

// NewEmulator makes an emulator with the demo account.
func NewEmulator() *Emulator {
	return &Emulator{Account: EmulatorAccount, ACPass: EmulatorACPass, Username: EmulatorUsername, Password: EmulatorPassword,
		Now: time.Now, refuse: map[string]string{}, byKey: map[string]bool{}, numbers: map[string]map[int64]bool{}, lastDate: map[string]string{}}
}

// Settings are the settings a hub needs to deliver to this emulator at url.
func (e *Emulator) Settings(url string) Settings {
	return Settings{Provider: "vnpt", URL: url, Account: e.Account, ACPass: e.ACPass, Username: e.Username, Password: e.Password}
}

// SetDown makes every call fail with 503 (the provider down) or not.
func (e *Emulator) SetDown(down bool) { e.mu.Lock(); e.down = down; e.mu.Unlock() }

// SetDelay makes every call wait d before it is handled (a slow provider; a
// caller's timeout cuts it short, and nothing is published then).
func (e *Emulator) SetDelay(d time.Duration) { e.mu.Lock(); e.delay = d; e.mu.Unlock() }

// LoseAnswers publishes the next n calls that succeed but drops their
// connections before answering, as a timeout after the provider took a list.
func (e *Emulator) LoseAnswers(n int) { e.mu.Lock(); e.drop = n; e.mu.Unlock() }

// Refuse makes the emulator answer code (ERR3, ERR30…) to any list holding
// the invoice of this Fkey.
func (e *Emulator) Refuse(key, code string) { e.mu.Lock(); e.refuse[key] = code; e.mu.Unlock() }

// Published is everything published, in the order it was.
func (e *Emulator) Published() []Published {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Published{}, e.published...)
}

// Calls is how many calls reached the emulator (failed ones included).
func (e *Emulator) Calls() int { e.mu.Lock(); defer e.mu.Unlock(); return e.calls }

// Serve answers on ln until it is closed; the control routes under
// /emulator/ switch faults on and off for a demo.
func (e *Emulator) Serve(ln net.Listener) error {
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// Handler is the emulator's HTTP side: the SOAP service at any path, and the
// demo's controls.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /emulator/published", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"published": e.Published(), "calls": e.Calls()})
	})
	mux.HandleFunc("POST /emulator/down", func(w http.ResponseWriter, r *http.Request) {
		e.SetDown(r.URL.Query().Get("on") != "0")
	})
	mux.HandleFunc("POST /emulator/delay", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil {
			http.Error(w, "d: a duration such as 5s", http.StatusBadRequest)
			return
		}
		e.SetDelay(d)
	})
	mux.HandleFunc("POST /emulator/refuse", func(w http.ResponseWriter, r *http.Request) {
		e.Refuse(r.URL.Query().Get("key"), r.URL.Query().Get("code"))
	})
	mux.HandleFunc("POST /", e.serveSOAP)
	return mux
}

var (
	reSerial  = regexp.MustCompile(`^[CK][0-9]{2}[A-Z]{3}$`)
	rePattern = regexp.MustCompile(`^[1-6]$`)
)

// hdon is what the emulator reads of each invoice of a list.
type hdon struct {
	Key   string `xml:"key"`
	NLap  string `xml:"DLHDon>TTChung>NLap"`
	SHDon string `xml:"DLHDon>TTChung>SHDon"`
	MCCQT string `xml:"MCCQT"`
}

func (e *Emulator) serveSOAP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.calls++
	down, delay := e.down, e.delay
	e.mu.Unlock()
	if down {
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 256<<20))
	if err != nil {
		return
	}
	var env soapEnvelope
	if err := xml.Unmarshal(data, &env); err != nil || env.Body.Publish == nil {
		soapFault(w, "soap:Client", "Server did not recognize the request")
		return
	}
	answer, lose := e.publish(*env.Body.Publish)
	if lose {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
		`<soap:Body><ImportAndPublishInvMTTResponse xmlns="` + vnptNamespace + `"><ImportAndPublishInvMTTResult>`)
	_ = xml.EscapeText(&b, []byte(answer))
	b.WriteString(`</ImportAndPublishInvMTTResult></ImportAndPublishInvMTTResponse></soap:Body></soap:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func soapFault(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>%s</faultcode><faultstring>%s</faultstring></soap:Fault></soap:Body></soap:Envelope>`, code, msg)
}

// publish checks a call as VNPT does and publishes its list whole, or nothing
// and answers the first error; lose says to drop the answer.
func (e *Emulator) publish(c publishCall) (answer string, lose bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c.Account != e.Account || c.ACpass != e.ACPass || c.Username != e.Username || c.Password != e.Password {
		return "ERR:1", false
	}
	if c.Pattern == "" || c.Serial == "" {
		return "ERR:2", false
	}
	if !rePattern.MatchString(c.Pattern) || !reSerial.MatchString(c.Serial) {
		return "ERR:11", false
	}
	var list struct {
		HDon []hdon `xml:"HDon"`
	}
	if err := xml.Unmarshal([]byte(c.XMLInvData), &list); err != nil || len(list.HDon) == 0 {
		return "ERR:3", false
	}
	if len(list.HDon) > MaxBatch {
		return "ERR:10", false
	}
	series := c.Pattern + c.Serial
	today := e.Now().In(vietnam).Format(time.DateOnly)
	last := e.lastDate[series]
	keys := map[string]bool{}
	numbers := map[int64]bool{}
	pub := make([]Published, 0, len(list.HDon))
	for _, h := range list.HDon {
		if code := e.refuse[h.Key]; code != "" {
			return "ERR:" + strings.TrimPrefix(code, "ERR"), false
		}
		n, err := strconv.ParseInt(strings.TrimSpace(h.SHDon), 10, 64)
		date := strings.TrimSpace(h.NLap)
		if len(date) > 10 {
			date = date[:10] // a date-time: its date
		}
		if _, derr := time.Parse(time.DateOnly, date); h.Key == "" || err != nil || n <= 0 || derr != nil {
			return "ERR:3", false
		}
		switch {
		case e.byKey[h.Key] || keys[h.Key]:
			return "ERR:13", false
		case e.numbers[series][n] || numbers[n]:
			return "ERR:21", false
		case strings.TrimSpace(h.MCCQT) == "":
			return "ERR:23", false
		case date > today:
			return "ERR:15", false
		case date < last:
			return "ERR:30", false
		}
		keys[h.Key], numbers[n], last = true, true, date
		pub = append(pub, Published{Key: h.Key, Pattern: c.Pattern, Serial: c.Serial, Number: n, Date: date, MCCQT: strings.TrimSpace(h.MCCQT)})
	}
	parts := make([]string, len(pub))
	if e.numbers[series] == nil {
		e.numbers[series] = map[int64]bool{}
	}
	for i, p := range pub {
		e.byKey[p.Key] = true
		e.numbers[series][p.Number] = true
		parts[i] = fmt.Sprintf("%s_%d_%s", p.Key, p.Number, p.MCCQT)
	}
	e.published = append(e.published, pub...)
	e.lastDate[series] = last
	if e.drop > 0 {
		e.drop--
		lose = true
	}
	return "OK:" + c.Pattern + ";" + c.Serial + "-" + strings.Join(parts, ","), lose
}

var vietnam = time.FixedZone("ICT", 7*3600)

// RunEmulator serves the emulator on addr until ctx ends (`hub
// einvoice-emulator -listen 127.0.0.1:8089`), after printing where it is and
// its account.
func RunEmulator(ctx context.Context, addr string, out io.Writer, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	e := NewEmulator()
	url := "http://" + ln.Addr().String() + "/PublishService.asmx"
	fmt.Fprintf(out, "VNPT MTT emulator at %s\naccount %s, acpass %s, username %s, password %s\n"+
		"faults: POST /emulator/down?on=1|0, /emulator/delay?d=5s, /emulator/refuse?key=FKEY&code=ERR30; GET /emulator/published\n",
		url, e.Account, e.ACPass, e.Username, e.Password)
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("e-invoice emulator ready", "url", url)
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}
