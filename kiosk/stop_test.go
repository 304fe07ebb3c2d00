package kiosk

import "testing"

// TestAKioskStoppedAsSoonAsItIsReadyStops: a stop that came before the server
// had registered its listener with fasthttp left it accepting for good, and Run
// never returned.
func TestAKioskStoppedAsSoonAsItIsReadyStops(t *testing.T) {
	dir := t.TempDir()
	for range 20 {
		startKiosk(t, dir).stop() // fails the test when Run has not returned within 15 s
	}
}
