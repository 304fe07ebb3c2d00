package pgstore

import (
	_ "embed"
	"fmt"
	"strings"
)

// The SQL lives in queries.sql, one block per name, so that it reads as SQL
// and every statement the store runs is in one place.
//
//go:embed queries.sql
var queriesSQL string

var queries = parseQueries(queriesSQL)

// parseQueries splits a file of "-- name: x" blocks.
func parseQueries(src string) map[string]string {
	out := map[string]string{}
	var name string
	var b strings.Builder
	flush := func() {
		if name != "" {
			out[name] = strings.TrimSpace(b.String())
		}
		b.Reset()
	}
	for line := range strings.Lines(src) {
		if n, ok := strings.CutPrefix(line, "-- name: "); ok {
			flush()
			name = strings.TrimSpace(n)
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
	}
	flush()
	return out
}

// q is the named query; a name missing from queries.sql is a bug caught by
// the first test that runs it.
func q(name string) string {
	s, ok := queries[name]
	if !ok {
		panic(fmt.Sprintf("pgstore: no query %q in queries.sql", name))
	}
	return s
}
