package netguard

import (
	"fmt"
	"time"
)

// Limits say how many connections the LAN may hold at once. The kiosk's own
// machine (loopback) is never limited: it is where the till runs.
type Limits struct {
	// PerAddr is how many connections one LAN address may hold at once (an
	// IPv6 address counts by its /64, which one device may fill at will).
	PerAddr int
	// Public is how many connections all LAN addresses together may hold.
	Public int
	// TrustedPerAddr and Trusted are the same for the addresses a paired
	// device (on the hub: a kiosk) presented a valid token from within
	// TrustFor. Their connections have room of their own, beyond Public, which
	// a flood from other addresses cannot take.
	TrustedPerAddr int
	Trusted        int
	TrustFor       time.Duration
}

// Defaults: a phone's browser opens at most 6 connections to one host and a
// paired tablet a few more (its pages, the API and its websocket); 512 public
// connections cost a server about 10 MB.
const (
	DefaultPerAddr        = 16
	DefaultPublic         = 512
	DefaultTrustedPerAddr = 32
	DefaultTrusted        = 128
	DefaultTrustFor       = time.Hour
)

// WithDefaults fills the fields left at zero.
func (l Limits) WithDefaults() Limits {
	if l.PerAddr == 0 {
		l.PerAddr = DefaultPerAddr
	}
	if l.Public == 0 {
		l.Public = DefaultPublic
	}
	if l.TrustedPerAddr == 0 {
		l.TrustedPerAddr = max(DefaultTrustedPerAddr, l.PerAddr)
	}
	if l.Trusted == 0 {
		l.Trusted = DefaultTrusted
	}
	if l.TrustFor == 0 {
		l.TrustFor = DefaultTrustFor
	}
	return l
}

// Check refuses limits that would shut the LAN out or make no sense.
func (l Limits) Check() error {
	switch {
	case l.PerAddr < 0 || l.Public < 0 || l.TrustedPerAddr < 0 || l.Trusted < 0 || l.TrustFor < 0:
		return fmt.Errorf("connection limits must not be negative: %+v", l)
	case l.PerAddr > 0 && l.Public > 0 && l.PerAddr > l.Public:
		return fmt.Errorf("connections per address (%d) above the connections of the whole LAN (%d)", l.PerAddr, l.Public)
	}
	return nil
}

// reserveFiles is what a server keeps of its open-file limit for everything but
// LAN connections: its store, logs, printers, its uplink and, above all, the
// connections of its own machine.
func reserveFiles(nofile int) int { return max(64, nofile/8) }

// FitFiles lowers Public and Trusted so that LAN connections can never take the
// files the process needs for anything else (nofile is its open-file limit; 0
// means unknown). It reports whether it lowered them.
func (l Limits) FitFiles(nofile int) (Limits, bool) {
	if nofile <= 0 {
		return l, false
	}
	budget := max(nofile-reserveFiles(nofile), 2)
	if l.Public+l.Trusted <= budget {
		return l, false
	}
	trusted := max(1, budget*l.Trusted/(l.Public+l.Trusted))
	l.Public, l.Trusted = max(1, budget-trusted), trusted
	l.PerAddr = min(l.PerAddr, l.Public)
	l.TrustedPerAddr = min(l.TrustedPerAddr, l.Public+l.Trusted)
	return l, true
}
