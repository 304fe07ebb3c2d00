package pgstore

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ocop-kiosk/kiosk/sync/pgtest"
)

// The reconciliation's questions that span every kiosk read only what lies
// above each kiosk's acknowledgement: with a long history held the gaps'
// query must walk each kiosk's index from its acknowledgement, not scan
// every sequence ever held (it once did: 273 ms in EXPLAIN ANALYZE at 2,000,000 held,
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
	text := explain(t, st.pool, "EXPLAIN "+q("tally-above"))
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

// Storing a batch looks up each of its sequences by the primary key, one
// probe a sequence, whatever the table's statistics: planned for the values
// at hand with none gathered yet, and as the generic plan a prepared
// statement keeps from when the table was empty. (Asked as "= ANY (the
// batch)", a load of 2,000,000 sales once read a billion rows of kiosk_seqs:
// seen in a server profile, not reproduced at this size.)
func TestABatchsSequencesAreLookedUpByKeyWithoutStatistics(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	conn, err := st.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`ALTER TABLE kiosk_seqs SET (autovacuum_enabled = false)`)
	exec(`PREPARE holders (text, bigint[]) AS ` + q("seq-holders"))
	exec(`SET plan_cache_mode = force_generic_plan`)
	exec(`EXECUTE holders ('K007', '{1,2}')`) // the generic plan, made on the empty table
	exec(`INSERT INTO kiosk_seqs (kiosk, seq, sale_id, sold_at)
		SELECT 'K' || lpad(k::text, 3, '0'), s, 'S' || k || '-' || s, now() FROM generate_series(1, 200) k, generate_series(1, 2000) s`)
	seqs := make([]string, 250)
	for i := range seqs {
		seqs[i] = strconv.Itoa(1751 + i)
	}
	for _, mode := range []string{"force_generic_plan", "force_custom_plan"} {
		exec(`SET plan_cache_mode = ` + mode)
		text := explain(t, conn, `EXPLAIN EXECUTE holders ('K007', '{`+strings.Join(seqs, ",")+`}')`)
		if strings.Contains(text, "Seq Scan on kiosk_seqs") || !strings.Contains(text, "Scan using kiosk_seqs_pkey") ||
			!strings.Contains(text, "AND (seq = b.seq))") {
			t.Errorf("%s: the batch's sequences are not looked up one by one by key:\n%s", mode, text)
		}
	}
}

// explain runs an EXPLAIN and answers its plan as text.
func explain(t *testing.T, db interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string) string {
	t.Helper()
	rows, err := db.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
