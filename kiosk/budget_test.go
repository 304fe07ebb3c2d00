package kiosk

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// guessesInADay plays a guesser who tries whenever the kiosk lets it, for a
// day, and counts the guesses checked. keys(i) are the keys of the i-th guess.
func guessesInADay(keys func(i int) []guessKey) int {
	g := newGuesses()
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	now, n := start, 0
	for now.Before(start.Add(24 * time.Hour)) {
		ks := keys(n)
		wait, ok := g.begin(now, ks...)
		if !ok {
			now = now.Add(wait)
			continue
		}
		g.end(now, false, ks...)
		n++
		now = now.Add(time.Millisecond)
	}
	return n
}

// The guessing budget README "Guessing budget" states.
const (
	pinGuessesADay          = 290 // from paired devices, however many addresses they use
	pinGuessesADayOneClient = 150 // from one address
)

func TestTheGuessingBudgetIsWhatTheREADMESays(t *testing.T) {
	fromDevice := func(addr func(i int) string) func(int) []guessKey {
		return func(i int) []guessKey { return pinKeys(caller{kind: byTill, addr: addr(i)}) }
	}
	if n := guessesInADay(fromDevice(func(i int) string { return fmt.Sprint("10.0.", i/250, ".", i%250) })); n != pinGuessesADay {
		t.Errorf("a guesser with a till token and a new address for every guess gets %d PIN guesses a day, the README says %d", n, pinGuessesADay)
	}
	if n := guessesInADay(fromDevice(func(int) string { return "10.0.0.7" })); n != pinGuessesADayOneClient {
		t.Errorf("a guesser on one address gets %d PIN guesses a day, the README says %d", n, pinGuessesADayOneClient)
	}
	if n := guessesInADay(func(int) []guessKey { return pinKeys(caller{kind: byKiosk, addr: "127.0.0.1"}) }); n > pinGuessesADay {
		t.Errorf("at the kiosk itself: %d PIN guesses a day, more than from the LAN", n)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ") // a phrase may wrap
	for _, want := range []string{
		fmt.Sprintf("at most %d wrong PINs a day", pinGuessesADay),
		fmt.Sprintf("%d from one address", pinGuessesADayOneClient),
		fmt.Sprintf("at most %d wrong codes", pairingMaxWrong),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("README does not say %q", want)
		}
	}
}
