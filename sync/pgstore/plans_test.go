package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// The reconciliation's questions that span every kiosk read only what lies
// above each kiosk's acknowledgement: with a long history held the gaps'
// query must walk each kiosk's index from its acknowledgement, not scan
// every sequence ever held (it once did: 270 ms a report at 2,000,000 held,
// 2 ms this way).
func TestTheGapsQueryReadsOnlyAboveTheAcknowledgements(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	// 200 kiosks with 2,000 sequences each, all acknowledged: a year of a
	// province's history as far as the planner can tell.
	if _, err := st.pool.Exec(ctx, `
		INSERT INTO kiosks (id, token_hash, created, acked, top_seq)
		SELECT 'K' || lpad(k::text, 3, '0'), '\x00', now(), 2000, 2000 FROM generate_series(1, 200) k;
		INSERT INTO kiosk_seqs (kiosk, seq)
		SELECT 'K' || lpad(k::text, 3, '0'), s FROM generate_series(1, 200) k, generate_series(1, 2000) s;
		ANALYZE kiosks; ANALYZE kiosk_seqs;`); err != nil {
		t.Fatal(err)
	}
	rows, err := st.pool.Query(ctx, "EXPLAIN "+q("tally-above"))
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if strings.Contains(text, "Seq Scan on kiosk_seqs") || !strings.Contains(text, "Index") {
		t.Errorf("the gaps' query reads the whole history:\n%s", text)
	}
}

// The hub's connections run without the JIT compiler (its compile took
// 50-100 ms on queries that run in 2), unless the database URL asks for it.
func TestConnectionsRunWithoutJITUnlessTheURLAsks(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, query, want string
	}{
		{"a plain URL", "", "off"},
		{"a URL asking for it", "&jit=on", "on"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := Open(ctx, pgtest.DB(t)+c.query, quiet())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var jit string
			if err := st.pool.QueryRow(ctx, "SHOW jit").Scan(&jit); err != nil || jit != c.want {
				t.Errorf("jit = %q, %v; want %q", jit, err, c.want)
			}
		})
	}
}
