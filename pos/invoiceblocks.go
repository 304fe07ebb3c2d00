package pos

import (
	"encoding/json"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// A kiosk's block of the MCCQT counter can change: the vendor gives another
// -invoice-block, or the hub gives the kiosk its next block once one is used
// up. A number of the counter must never be issued twice, whatever blocks
// come and go and come back, and whatever a restore brings back. So the store
// keeps the numbers it has used outside its current block as a short list of
// ranges (meta "invoice_used", each range From … the highest number used),
// and a block taken (again) starts after every number used inside it.
var kInvUsed = []byte("invoice_used")

// usedRanges reads the ranges of the counter used outside the current block.
func usedRanges(m *bolt.Bucket) ([]InvoiceBlock, error) {
	var rs []InvoiceBlock
	if v := m.Get(kInvUsed); v != nil {
		if err := json.Unmarshal(v, &rs); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// addUsed adds from … to to the ranges, merging any it overlaps or touches,
// so the list stays as short as the blocks the kiosk has had.
func addUsed(rs []InvoiceBlock, from, to uint64) []InvoiceBlock {
	add := InvoiceBlock{From: from, To: to}
	out := rs[:0:0]
	for _, r := range rs {
		if r.To+1 >= add.From && add.To+1 >= r.From {
			add.From, add.To = min(add.From, r.From), max(add.To, r.To)
			continue
		}
		out = append(out, r)
	}
	out = append(out, add)
	slices.SortFunc(out, func(a, b InvoiceBlock) int {
		switch {
		case a.From < b.From:
			return -1
		case a.From > b.From:
			return 1
		}
		return 0
	})
	return out
}

func putUsed(m *bolt.Bucket, rs []InvoiceBlock) error {
	v, err := json.Marshal(rs)
	if err != nil {
		return err
	}
	return m.Put(kInvUsed, v)
}

// firstFree is where the counter starts in block b: after every number used
// inside it (b.To+1 when all are, which the issue refuses as a full block).
func firstFree(b InvoiceBlock, rs []InvoiceBlock) uint64 {
	next := b.From
	for _, r := range rs {
		if r.To >= b.From && r.From <= b.To && r.To+1 > next {
			next = r.To + 1
		}
	}
	return next
}
