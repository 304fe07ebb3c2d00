package pos

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CheckReport is what Check found in a store file.
type CheckReport struct {
	Path      string    `json:"path"`
	Kiosk     string    `json:"kiosk_id"`
	Schema    int       `json:"schema"`
	Records   int       `json:"records"`
	LastSeq   uint64    `json:"last_seq"`
	Last      string    `json:"last_receipt,omitempty"`
	LastTime  time.Time `json:"last_time,omitzero"`
	Acked     uint64    `json:"acked"`
	Numbering Numbering `json:"numbering"`
	Products  int       `json:"products"`
	Shifts    int       `json:"shifts"`
	// Problems are inconsistencies between the store's own indexes; bbolt's page
	// check failing is an error instead.
	Problems []string `json:"problems,omitempty"`
}

// Check opens a store file read-only, runs bbolt's consistency check over every
// page, verifies that it is a kiosk store this build reads, and cross-checks its
// indexes. It never writes. An error means the file cannot be used as it is.
func Check(path string) (CheckReport, error) {
	r := CheckReport{Path: path}
	db, _, err := OpenFile(path, time.Second, true, storeAdvice)
	if err != nil {
		return r, err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		schema, kiosk, err := identify(tx)
		if err != nil {
			return err
		}
		r.Schema, r.Kiosk = schema, kiosk
		if kiosk == "" {
			r.Kiosk = storeKiosk(tx)
		}
		bucket := func(name []byte) *bolt.Bucket {
			b := tx.Bucket(name)
			if b == nil {
				r.Problems = append(r.Problems, fmt.Sprintf("bucket %s is missing", name))
			}
			return b
		}
		sales, seqs := bucket(bSales), bucket(bSalesSeq)
		if sales == nil || seqs == nil {
			return nil
		}
		r.Records = sales.Stats().KeyN
		r.Acked = acked(tx)
		r.Numbering = readNumbering(tx)
		if b := tx.Bucket(bProducts); b != nil {
			r.Products = b.Stats().KeyN
		}
		if b := tx.Bucket(bShifts); b != nil {
			r.Shifts = b.Stats().KeyN
		}
		indexed := 0
		err = seqs.ForEach(func(k, id []byte) error {
			indexed++
			var sl Sale
			ok, err := getJSON(sales, id, &sl)
			switch {
			case err != nil:
				r.Problems = append(r.Problems, fmt.Sprintf("record %s is unreadable: %v", id, err))
			case !ok:
				r.Problems = append(r.Problems, fmt.Sprintf("record %s is indexed but missing", id))
			default:
				r.LastSeq, r.Last, r.LastTime = binary.BigEndian.Uint64(k), sl.ReceiptNo, sl.Time
			}
			return nil
		})
		if err != nil {
			return err
		}
		if indexed != r.Records {
			r.Problems = append(r.Problems, fmt.Sprintf("%d records but %d in the sequence index", r.Records, indexed))
		}
		if schema >= 2 && seqs.Sequence() < r.LastSeq {
			r.Problems = append(r.Problems, fmt.Sprintf("record sequence %d is behind the newest record %d", seqs.Sequence(), r.LastSeq))
		}
		if len(r.Problems) > 20 {
			r.Problems = append(r.Problems[:20], fmt.Sprintf("… and %d more", len(r.Problems)-20))
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("check %s: %w", path, err)
	}
	return r, nil
}

// String is the report as `kiosk check` prints it.
func (r CheckReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: kiosk store of %s, schema %d\n", r.Path, r.Kiosk, r.Schema)
	fmt.Fprintf(&b, "  %d records", r.Records)
	if r.Last != "" {
		fmt.Fprintf(&b, ", the newest %s (record %d) at %s", r.Last, r.LastSeq, r.LastTime.In(VietnamTime).Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(&b, "\n  %d products, %d shifts; the hub has acknowledged up to record %d\n", r.Products, r.Shifts, r.Acked)
	if !r.Numbering.Verified {
		fmt.Fprintf(&b, "  receipt numbering not verified with the hub (%s): new receipts are numbered %s-%s-…\n",
			r.Numbering.Reason, r.Kiosk, r.Numbering.Series)
	}
	if len(r.Problems) == 0 {
		b.WriteString("  bbolt's consistency check and the store's indexes: no problems found\n")
	} else {
		b.WriteString("  problems:\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  - %s\n", p)
		}
	}
	return b.String()
}

// storeKiosk is the kiosk a store numbers receipts for: its name in meta, or for
// a schema 1 store the one receipts bucket.
func storeKiosk(tx *bolt.Tx) string {
	if k := tx.Bucket(bMeta).Get(kStoreKiosk); len(k) > 0 {
		return string(k)
	}
	var kiosks []string
	if b := tx.Bucket(bReceipts); b != nil {
		_ = b.ForEachBucket(func(k []byte) error { kiosks = append(kiosks, string(k)); return nil })
	}
	if len(kiosks) == 1 {
		return kiosks[0]
	}
	return ""
}
