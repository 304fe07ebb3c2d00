package printer

import "errors"

// Conditions a printer reports, as errors the queue and the UI branch on.
var (
	ErrPaperOut   = errors.New("paper out")
	ErrCoverOpen  = errors.New("cover open")
	ErrOffline    = errors.New("printer offline")
	ErrPrinterErr = errors.New("printer error (cutter jam or overheating)")
	ErrNoReply    = errors.New("printer did not answer")
)

// State is what DLE EOT tells of a printer.
type State struct {
	Known        bool `json:"known"` // false when the transport cannot read replies
	Online       bool `json:"online"`
	PaperOut     bool `json:"paper_out"`
	PaperNearEnd bool `json:"paper_near_end"`
	CoverOpen    bool `json:"cover_open"`
	Error        bool `json:"error"`
}

// Err is the condition that stops printing, or nil.
func (s State) Err() error {
	switch {
	case !s.Known:
		return nil
	case s.CoverOpen:
		return ErrCoverOpen
	case s.PaperOut:
		return ErrPaperOut
	case s.Error:
		return ErrPrinterErr
	case !s.Online:
		return ErrOffline
	}
	return nil
}

// Word is a one-word summary for screens: ready, paper_out, cover_open, error,
// offline or unknown.
func (s State) Word() string {
	switch {
	case !s.Known:
		return "unknown"
	case s.CoverOpen:
		return "cover_open"
	case s.PaperOut:
		return "paper_out"
	case s.Error:
		return "error"
	case !s.Online:
		return "offline"
	}
	return "ready"
}

// Status reply bits (ESC/POS DLE EOT). Every reply has bits 1 and 4 set and bit 0
// and 7 clear, which is how a reply is told from other bytes.
const (
	statusFixed     = 0x12
	statusFixedMask = 0x93
	// n = 1, printer status
	stOffline = 0x08
	// n = 2, offline cause
	stCoverOpen  = 0x04
	stFeedButton = 0x08
	stPaperStop  = 0x20
	stErrorOcc   = 0x40
	// n = 4, roll paper sensor
	stNearEnd  = 0x0C
	stPaperEnd = 0x60
)

// validStatus reports whether b has the fixed bits of a DLE EOT reply.
func validStatus(b byte) bool { return b&statusFixedMask == statusFixed }

// StatusReplies builds the three reply bytes (n = 1, 2, 4) for a state; the
// emulator answers with them.
func StatusReplies(s State) (printer, offline, paper byte) {
	printer, offline, paper = statusFixed, statusFixed, statusFixed
	if !s.Online || s.CoverOpen || s.PaperOut || s.Error {
		printer |= stOffline
	}
	if s.CoverOpen {
		offline |= stCoverOpen
	}
	if s.PaperOut {
		offline |= stPaperStop
		paper |= stPaperEnd
	}
	if s.Error {
		offline |= stErrorOcc
	}
	if s.PaperNearEnd {
		paper |= stNearEnd
	}
	return
}

// ParseStatus reads the three reply bytes back into a State.
func ParseStatus(printer, offline, paper byte) (State, error) {
	if !validStatus(printer) || !validStatus(offline) || !validStatus(paper) {
		return State{}, errors.New("malformed status reply")
	}
	return State{
		Known:        true,
		Online:       printer&stOffline == 0,
		CoverOpen:    offline&stCoverOpen != 0,
		PaperOut:     paper&stPaperEnd != 0 || offline&stPaperStop != 0,
		PaperNearEnd: paper&stNearEnd != 0,
		Error:        offline&stErrorOcc != 0,
	}, nil
}
