package sync

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
)

// ErrWeakAdminToken is an admin token given at start (-admin-token,
// HUB_ADMIN_TOKEN) that a guesser could find: the hub refuses to start with it.
var ErrWeakAdminToken = errors.New("the admin token is too weak")

// MinAdminTokenBits is the randomness an admin token must carry: 22 base64url
// characters or 32 hex digits from a random source. The token the hub makes
// itself has 192.
const MinAdminTokenBits = 128

// predictableSlack is how far below MinAdminTokenBits the estimate that takes
// out words, runs and repeats may fall before a token counts as made of them.
// A random token loses a few bits to chance runs ("abc", "777"): 32 is six of
// them at once in a 32-hex-digit token, which random draws do not produce.
const predictableSlack = 32

// weakWords are what people type when asked for a secret, longest first so
// that "administrator" is taken whole. Each counts for about 10 bits, the
// guess of a word from a short list.
var weakWords = []string{"administrator", "changeme", "iloveyou", "password", "letmein", "matkhau", "quantri",
	"welcome", "default", "secret", "passwd", "qwerty", "azerty", "master", "dragon", "monkey", "admin", "login",
	"hello", "token", "guest", "kiosk", "asdf", "zxcv", "ocop", "test", "demo", "root", "hub"}

// CheckAdminToken refuses an admin token with under MinAdminTokenBits of
// randomness by its length and alphabet, or one made mostly of predictable
// parts (a word, a character repeated, a running sequence, a repeated block),
// with a message that says what to use instead.
func CheckAdminToken(tok string) error {
	advice := fmt.Sprintf("a token of %d bits is 22 or more random base64url characters or 32 random hex digits "+
		"(openssl rand -hex 16); or leave it unset and the hub makes one and shows it once", MinAdminTokenBits)
	for _, r := range tok {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("%w: -admin-token (HUB_ADMIN_TOKEN) holds a space or a control character, which the sign-in form cannot carry; %s",
				ErrWeakAdminToken, advice)
		}
	}
	rs := []rune(strings.TrimRight(tok, "=")) // base64 padding carries nothing
	per := bitsPerChar(rs)
	if nominal := float64(len(rs)) * per; nominal < MinAdminTokenBits {
		return fmt.Errorf("%w: -admin-token (HUB_ADMIN_TOKEN) has %d characters, at most %.0f bits of randomness; %s",
			ErrWeakAdminToken, len(rs), nominal, advice)
	}
	if est := predictableBits(rs, per); est < MinAdminTokenBits-predictableSlack {
		return fmt.Errorf("%w: -admin-token (HUB_ADMIN_TOKEN) is mostly a word, a repeated character or block, or a running sequence, "+
			"about %.0f bits of randomness; %s", ErrWeakAdminToken, est, advice)
	}
	return nil
}

// bitsPerChar is what one character of the token's alphabet can carry at most:
// the smallest of digits, hex, base64 and printable characters that holds it
// all.
func bitsPerChar(rs []rune) float64 {
	digits, hex, b64 := true, true, true
	for _, r := range rs {
		isDigit := r >= '0' && r <= '9'
		isHex := isDigit || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
		isB64 := isDigit || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || strings.ContainsRune("-_+/", r)
		digits, hex, b64 = digits && isDigit, hex && isHex, b64 && isB64
	}
	switch {
	case digits:
		return math.Log2(10)
	case hex:
		return 4
	case b64:
		return 6
	}
	return math.Log2(95)
}

// predictableBits estimates the token's randomness the way a guesser would
// spend guesses: a token that is one block repeated costs the block; a word
// costs about 10 bits; a run of three or more characters each the same as, or
// one after or before, the last costs its first character and 2 bits.
func predictableBits(rs []rune, per float64) float64 {
	if p := period(rs); p < len(rs) {
		return predictableBits(rs[:p], per) + 2
	}
	lower := []rune(strings.ToLower(string(rs)))
	bits := 0.0
	for i := 0; i < len(rs); {
		if w := wordAt(lower, i); w > 0 {
			bits += 10
			i += w
			continue
		}
		if n := runAt(lower, i); n >= 3 {
			bits += per + 2
			i += n
			continue
		}
		bits += per
		i++
	}
	return bits
}

// period is the length of the shortest block the token repeats (a last copy
// may be cut short), or the token's length when it repeats none twice.
func period(rs []rune) int {
	for p := 1; p <= len(rs)/2; p++ {
		same := true
		for i := p; i < len(rs) && same; i++ {
			same = rs[i] == rs[i-p]
		}
		if same {
			return p
		}
	}
	return len(rs)
}

func wordAt(lower []rune, i int) int {
	for _, w := range weakWords {
		if strings.HasPrefix(string(lower[i:]), w) {
			return len(w)
		}
	}
	return 0
}

// runAt is the length of the run starting at i whose steps are all 0, all +1
// or all -1 ("aaaa", "1234", "fedc").
func runAt(lower []rune, i int) int {
	if i+1 >= len(lower) {
		return 1
	}
	step := lower[i+1] - lower[i]
	if step < -1 || step > 1 {
		return 1
	}
	n := 2
	for i+n < len(lower) && lower[i+n]-lower[i+n-1] == step {
		n++
	}
	return n
}
