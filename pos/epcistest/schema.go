// Package epcistest checks EPCIS documents against GS1's EPCIS 2.0 JSON
// schema in tests: the kiosk's and the hub's tests use it for every document
// they make or take. Only tests import it, so the product does not carry the
// schema library.
package epcistest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaEnv names a copy of EPCIS-JSON-Schema.json elsewhere than the
// project's shared test data.
const SchemaEnv = "EPCIS_SCHEMA"

// SchemaPath is where GS1's schema is read from: $EPCIS_SCHEMA, or the
// shared test data beside the project (../shared/epcis from the repository).
func SchemaPath() string {
	if p := os.Getenv(SchemaEnv); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "epcis", "EPCIS-JSON-Schema.json")
}

// ExamplePath is GS1's own example document beside the schema.
func ExamplePath() string {
	return filepath.Join(filepath.Dir(SchemaPath()), "Example_9.6.1-ObjectEvent.jsonld")
}

var (
	once   sync.Once
	schema *jsonschema.Schema
	errSch error
)

// lookahead is a pattern Go's regexp lacks: the schema uses it only as
// "^(?!(X))", a string that does not start with X.
type lookahead struct {
	src string
	not *regexp.Regexp
}

func (l lookahead) MatchString(s string) bool { return !l.not.MatchString(s) }
func (l lookahead) String() string            { return l.src }

func compilePattern(p string) (jsonschema.Regexp, error) {
	if strings.HasPrefix(p, "^(?!") && strings.HasSuffix(p, ")") {
		re, err := regexp.Compile("^(?:" + p[len("^(?!"):len(p)-1] + ")")
		if err != nil {
			return nil, err
		}
		return lookahead{p, re}, nil
	}
	return regexp.Compile(p)
}

func load() (*jsonschema.Schema, error) {
	once.Do(func() {
		raw, err := os.ReadFile(SchemaPath())
		if err != nil {
			errSch = fmt.Errorf("GS1's EPCIS schema (set %s to its path): %w", SchemaEnv, err)
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			errSch = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.UseRegexpEngine(compilePattern)
		const url = "https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json"
		if err := c.AddResource(url, doc); err != nil {
			errSch = err
			return
		}
		schema, errSch = c.Compile(url)
	})
	return schema, errSch
}

// Check reports whether doc is valid against GS1's EPCIS 2.0 schema.
func Check(doc []byte) error {
	sch, err := load()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

// Valid fails t when doc is not valid EPCIS 2.0.
func Valid(t testing.TB, name string, doc []byte) {
	t.Helper()
	if err := Check(doc); err != nil {
		t.Fatalf("%s is not valid against GS1's EPCIS 2.0 schema: %v\n%s", name, err, doc)
	}
}
