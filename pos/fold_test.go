package pos

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a product name loses its tone marks and case", "Mật ong U Minh Hạ", "mat ong u minh ha"},
		{"capitals with diacritics and Đ fold to plain letters", "ĐẶC SẢN Bến Tre", "dac san ben tre"},
		{"horned vowels fold to their base letters", "Bưởi da xanh", "buoi da xanh"},
		{"ơ and ư with every tone fold the same", "ơ ờ ớ ở ỡ ợ ư ừ ứ ử ữ ự", "o o o o o o u u u u u u"},
		{"lower-case đ folds to d", "đặc sản đất mũi", "dac san dat mui"},
		{"every capital A of the alphabet folds to a", "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", strings.Repeat("a", 17)},
		{"decomposed (NFD) text folds like precomposed text", "Ma\u0323\u0302t ong", "mat ong"},
		{"a run of punctuation and spaces becomes one space", "Trà  --  ô rô!!!  (hộp 25 gói)", "tra o ro hop 25 goi"},
		{"tabs and newlines are separators", "Gạo\tST25\r\n5kg", "gao st25 5kg"},
		{"leading and trailing separators disappear", "  ...Cà Mau, Việt Nam.  ", "ca mau viet nam"},
		{"non-ASCII punctuation is a separator", "Gạo hữu cơ – 5kg “Rạch Lọp”", "gao huu co 5kg rach lop"},
		{"the empty string stays empty", "", ""},
		{"only separators give the empty string", " ,.;-– ", ""},
		{"already folded ASCII is unchanged", "mat ong u minh ha 500ml", "mat ong u minh ha 500ml"},
		{"ASCII capitals and digits are lower-cased and kept", "SKU CM-MO-500", "sku cm mo 500"},
		{"a lone combining mark joins no word and adds no space", "a \u0301b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fold(tt.in); got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// vietnameseLetters is every letter of the Vietnamese alphabet with every tone
// mark, in both cases: the text OCOP catalogs are written in.
const vietnameseLetters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ" +
	"AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆGHIÌÍỈĨỊKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVXYỲÝỶỸỴ"

func TestFoldTurnsEveryVietnameseLetterIntoOneASCIILetter(t *testing.T) {
	for _, r := range vietnameseLetters {
		got := Fold(string(r))
		if len(got) != 1 || got[0] < 'a' || got[0] > 'z' {
			t.Errorf("Fold(%q) = %q, want one ASCII lower-case letter", r, got)
		}
	}
}

// onlyVietnamese reports whether s is made of ASCII and Vietnamese letters alone.
func onlyVietnamese(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && !strings.ContainsRune(vietnameseLetters, r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"Mật ong U Minh Hạ", "ĐẶC SẢN Bến Tre", "Bưởi da xanh", "", "   ", "a  b", "Ma\u0323\u0302t",
		"Trà ô rô (hộp 25 gói)", "ǅemal İstanbul Ω K Å", "\xff\xfe", "日本語 テスト", "١٢٣ ٤٥",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Fold(s)
		if again := Fold(got); again != got {
			t.Errorf("Fold is not idempotent: Fold(%q) = %q, Fold of that = %q", s, got, again)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") {
			t.Errorf("Fold(%q) = %q has a leading or trailing space", s, got)
		}
		if strings.Contains(got, "  ") {
			t.Errorf("Fold(%q) = %q has a double space", s, got)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Fold(%q) = %q is not valid UTF-8", s, got)
		}
		if onlyVietnamese(s) {
			for i := 0; i < len(got); i++ {
				c := got[i]
				if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == ' ') {
					t.Fatalf("Fold(%q) = %q: byte %q at %d, want only a-z, 0-9 and spaces for Vietnamese text", s, got, c, i)
				}
			}
		}
	})
}
