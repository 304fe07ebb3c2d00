// Package pgtest gives the hub's tests a real PostgreSQL: the one HUB_TEST_DB
// names, or else a throwaway cluster this package makes with Debian's
// PostgreSQL binaries (initdb in a temporary folder, owned by an unprivileged
// user because PostgreSQL refuses to run as root, listening on a free loopback
// port) and stops when the test binary ends. Each test gets a database of its
// own, dropped at the end of the test.
//
// A test package that uses it wraps its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without PostgreSQL binaries a test is skipped, except in CI (CI=true), where
// the test command installs them and their absence is a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// server is the PostgreSQL the test binary uses: an admin connection string
// (to make and drop databases) and, for a cluster of our own, how to stop it.
type server struct {
	admin string // URL of a database an admin can CREATE DATABASE from
	stop  func() error
	err   error
}

var (
	once sync.Once
	srv  server
)

// Main runs the tests and then stops the cluster, if one was started.
func Main(m *testing.M) int {
	code := m.Run()
	if srv.stop != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: stopping PostgreSQL:", err)
		}
	}
	return code
}

// DB returns the URL of a fresh, empty database for the test, dropped when
// the test ends.
func DB(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { srv = start() })
	if srv.err != nil {
		if errors.Is(srv.err, errNoBinaries) && os.Getenv("CI") != "true" {
			tb.Skip(srv.err)
		}
		tb.Fatal(srv.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, srv.admin)
	if err != nil {
		tb.Fatalf("pgtest: connecting to %s: %v", redact(srv.admin), err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "hubtest_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, srv.admin)
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(srv.admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

var errNoBinaries = errors.New("pgtest: PostgreSQL's server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql, or set HUB_TEST_DB")

func start() server {
	if dsn := os.Getenv("HUB_TEST_DB"); dsn != "" {
		return server{admin: dsn}
	}
	bin, err := binDir()
	if err != nil {
		return server{err: err}
	}
	dir, err := os.MkdirTemp("", "hub-pg-")
	if err != nil {
		return server{err: err}
	}
	cred, err := unprivileged()
	if err != nil {
		return server{err: err}
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return server{err: fmt.Errorf("pgtest: %w", err)}
		}
	}
	data := filepath.Join(dir, "data")
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("pgtest: %s: %w\n%s", name, err, out)
		}
		return nil
	}
	if err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return server{err: err}
	}
	stop := func() error {
		err := run("pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
		os.RemoveAll(dir)
		return err
	}
	// A free port can be taken between finding it and the server binding it:
	// try a few.
	for range 5 {
		port, err := freePort()
		if err != nil {
			return server{err: err}
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
			port, dir)
		if err = run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"); err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			if strings.Contains(string(log), "Address already in use") {
				continue
			}
			os.RemoveAll(dir)
			return server{err: err}
		}
		return server{admin: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), stop: stop}
	}
	os.RemoveAll(dir)
	return server{err: errors.New("pgtest: no free port for PostgreSQL after 5 tries")}
}

// binDir finds the newest PostgreSQL server binaries Debian installed.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errNoBinaries
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// unprivileged is the user the cluster runs as when the tests run as root
// (nobody); nil when they do not.
func unprivileged() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root and there is no user nobody to run PostgreSQL as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a connection string)"
	}
	return u.Redacted()
}
