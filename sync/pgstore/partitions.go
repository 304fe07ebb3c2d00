package pgstore

import (
	"context"
	"fmt"
	"regexp"
	gosync "sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ocop-kiosk/kiosk/pos"
)

// Sales, their lines and their payments are partitioned by the month of the
// sale's time in Vietnam time (the reports' days are Vietnam days, so a day
// never straddles two partitions): sales_p2026_12, sale_lines_p2026_12 and
// sale_payments_p2026_12 hold December 2026. The hub makes a month's three
// partitions when it opens the store (this month and the next) and before a
// batch holding a sale of a month it has no partition for, in a transaction
// of its own, so that ingest never waits on DDL. Old months are detached
// (DetachBefore): their tables stay in the database under archived_… names,
// for pg_dump and DROP TABLE, and the hub no longer reads them.

// partitioned are the tables partitioned by month, in the order their
// partitions are made (the order ingest writes them, so neither waits on the
// other in a cycle).
var partitioned = []string{"sales", "sale_lines", "sale_payments"}

// monthOf is the first moment of t's month in Vietnam time.
func monthOf(t time.Time) time.Time {
	y, m, _ := t.In(pos.VietnamTime).Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, pos.VietnamTime)
}

func partitionName(table string, month time.Time) string {
	return fmt.Sprintf("%s_p%04d_%02d", table, month.Year(), int(month.Month()))
}

// partitions remembers the months known to have partitions.
type partitions struct {
	mu    gosync.Mutex
	known map[time.Time]bool
}

func newPartitions() *partitions { return &partitions{known: map[time.Time]bool{}} }

// forget drops what p knows (a month detached by another process).
func (p *partitions) forget() {
	p.mu.Lock()
	p.known = map[time.Time]bool{}
	p.mu.Unlock()
}

// ensure makes the partitions of the months of times that lack them.
func (p *partitions) ensure(ctx context.Context, pool *pgxpool.Pool, times []time.Time) error {
	var months []time.Time
	p.mu.Lock()
	seen := map[time.Time]bool{}
	for _, t := range times {
		m := monthOf(t)
		if !p.known[m] && !seen[m] {
			months = append(months, m)
			seen[m] = true
		}
	}
	p.mu.Unlock()
	for _, m := range months {
		if err := makeMonth(ctx, pool, m); err != nil {
			return err
		}
		p.mu.Lock()
		p.known[m] = true
		p.mu.Unlock()
	}
	return nil
}

// makeMonth makes a month's partitions, one hub process at a time. A month
// detached earlier gets new, empty partitions (a late record of an archived
// month).
func makeMonth(ctx context.Context, pool *pgxpool.Pool, month time.Time) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, q("lock-partitions")); err != nil {
			return err
		}
		for _, table := range partitioned {
			name := partitionName(table, month)
			var exists bool
			if err := tx.QueryRow(ctx, q("partition-exists"), table, name).Scan(&exists); err != nil {
				return err
			}
			if exists {
				continue
			}
			next := month.AddDate(0, 1, 0)
			ddl := fmt.Sprintf(q("create-partition"), pgx.Identifier{name}.Sanitize(), pgx.Identifier{table}.Sanitize(),
				month.Format(time.RFC3339), next.Format(time.RFC3339))
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("partitions of %s: %w", month.Format("2006-01"), err)
	}
	return nil
}

// Partition is a month of sales held in its own tables.
type Partition struct {
	Month time.Time // first moment, Vietnam time
	// Tables are the month's partitions, of sales, sale_lines and
	// sale_payments.
	Tables []string
	Rows   int64 // sales in the month, PostgreSQL's estimate
	Bytes  int64 // the three tables with their indexes
}

var rePartition = regexp.MustCompile(`_p(\d{4})_(\d{2})$`)

// Partitions lists the months the hub holds, oldest first.
func Partitions(ctx context.Context, dbURL string) ([]Partition, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Redact(dbURL), err)
	}
	defer conn.Close(ctx)
	return listPartitions(ctx, conn)
}

func listPartitions(ctx context.Context, conn *pgx.Conn) ([]Partition, error) {
	byMonth := map[time.Time]*Partition{}
	var order []time.Time
	for _, table := range partitioned {
		rows, err := conn.Query(ctx, q("partitions"), table)
		if err != nil {
			return nil, fmt.Errorf("partitions of %s: %w", table, err)
		}
		var name, bound string
		var n, size int64
		_, err = pgx.ForEachRow(rows, []any{&name, &bound, &n, &size}, func() error {
			m := rePartition.FindStringSubmatch(name)
			if m == nil {
				return nil // not one of the hub's
			}
			month, err := time.ParseInLocation("2006-01", m[1]+"-"+m[2], pos.VietnamTime)
			if err != nil {
				return nil
			}
			p := byMonth[month]
			if p == nil {
				p = &Partition{Month: month}
				byMonth[month] = p
				order = append(order, month)
			}
			p.Tables = append(p.Tables, name)
			p.Bytes += size
			if table == "sales" {
				p.Rows = n
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("partitions of %s: %w", table, err)
		}
	}
	out := make([]Partition, 0, len(order))
	for _, m := range order {
		out = append(out, *byMonth[m])
	}
	sortPartitions(out)
	return out, nil
}

func sortPartitions(ps []Partition) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Month.Before(ps[j-1].Month); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// DetachBefore detaches the partitions of every month before month (its
// first day, Vietnam time) and renames them archived_…: the hub's reports,
// listings and read-back no longer see those sales; the tables stay in the
// database until someone dumps and drops them. A record of such a month sent
// again is not stored again (the hub still knows its id); a late one, never
// held, goes into a new partition of its month. It returns what it detached.
func DetachBefore(ctx context.Context, dbURL string, month time.Time) ([]Partition, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Redact(dbURL), err)
	}
	defer conn.Close(ctx)
	ps, err := listPartitions(ctx, conn)
	if err != nil {
		return nil, err
	}
	var out []Partition
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, q("lock-partitions")); err != nil {
			return err
		}
		for _, p := range ps {
			if !p.Month.Before(monthOf(month)) {
				continue
			}
			for _, table := range partitioned {
				name := partitionName(table, p.Month)
				part := pgx.Identifier{name}.Sanitize()
				if _, err := tx.Exec(ctx, fmt.Sprintf(q("detach-partition"), pgx.Identifier{table}.Sanitize(), part)); err != nil {
					return fmt.Errorf("detach %s: %w", name, err)
				}
				if _, err := tx.Exec(ctx, fmt.Sprintf(q("archive-partition"), part, pgx.Identifier{"archived_" + name}.Sanitize())); err != nil {
					return fmt.Errorf("archive %s (an archived_%s is there already? dump and drop it first): %w", name, name, err)
				}
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
