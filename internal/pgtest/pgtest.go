// Package pgtest runs throwaway PostgreSQL servers for tests: initdb and
// postgres of Debian's postgresql package (make deps), in a temporary
// directory, listening on a unix socket in it and on a free loopback port.
//
// PostgreSQL refuses to run as root. Run as root, as the tests are in CI,
// the server runs as the postgres system user the package creates.
package pgtest

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Cluster is a running PostgreSQL server with a superuser "postgres" who
// needs no password.
type Cluster struct {
	dir    string // the data directory's parent: socket and log
	port   int
	admin  *sql.DB // to the database postgres, to make the others
	cmd    *exec.Cmd
	exited chan struct{} // closed when postgres has exited
	made   atomic.Int64  // databases made, to name the next
}

// Start starts a cluster for tb and stops it when tb ends.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.stop(); err != nil {
			tb.Error(err)
		}
	})
	return c
}

// shared is the cluster of Shared, started once per test binary.
var shared struct {
	sync.Mutex
	c       *Cluster
	err     error
	started bool
}

// Shared returns the test binary's cluster, which the first call starts
// and Run stops.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.started {
		shared.started = true
		shared.c, shared.err = start()
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.c
}

// Run runs a package's tests and then stops the cluster of Shared, if they
// started it. A package whose tests call Shared has TestMain call
// os.Exit(pgtest.Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.c != nil {
		if err := shared.c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			code = max(code, 1)
		}
		shared.c = nil
	}
	return code
}

// URL is the URL of the database name, over TCP on loopback.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// NewDatabase makes an empty database for tb, dropped when tb ends, and
// returns its URL.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test%d", c.made.Add(1))
	if _, err := c.admin.ExecContext(tb.Context(), "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		// FORCE ends the connections a failed test may have left.
		if _, err := c.admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return c.URL(name)
}

// binDir returns the directory of the newest PostgreSQL installed.
func binDir() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(found) == 0 {
		return "", errors.New("pgtest: no /usr/lib/postgresql/*/bin/postgres: install postgresql (make deps)")
	}
	// Versions from 10 on are whole numbers: the longest, then the last,
	// is the newest.
	slices.SortFunc(found, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
	})
	return filepath.Dir(found[len(found)-1]), nil
}

func start() (_ *Cluster, err error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logFile := filepath.Join(dir, "postgres.log")
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer log.Close() // postgres has its own copy
	// Durability is worth nothing in a throwaway cluster: fsync and its
	// kin off make CREATE DATABASE and commits fast.
	c := &Cluster{dir: dir, port: port, exited: make(chan struct{})}
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-h", "127.0.0.1", "-p", strconv.Itoa(port),
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	c.cmd.Dir = dir
	c.cmd.Stdout, c.cmd.Stderr = log, log
	// SIGQUIT, an immediate shutdown, if the test binary dies first. The
	// signal comes when the thread that started postgres ends, so that
	// thread waits for postgres.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	started := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with postgres
		if err := c.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgtest: postgres: %w", err)
	}
	if err := c.waitReady(); err != nil {
		c.stop()
		out, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pgtest: %w\n%s", err, out)
	}
	return c, nil
}

// credential returns who postgres runs as: the postgres user when the test
// runs as root, else (nil) the test's own user.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: PostgreSQL does not run as root, and there is no postgres user: install postgresql (make deps): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady waits until postgres takes connections, and opens c.admin.
func (c *Cluster) waitReady() error {
	admin, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		return err
	}
	// Generous: a loaded machine may take long to start it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		err = admin.PingContext(ctx)
		if err == nil {
			c.admin = admin
			return nil
		}
		select {
		case <-c.exited:
			admin.Close()
			return fmt.Errorf("postgres exited: %v", c.cmd.ProcessState)
		case <-ctx.Done():
			admin.Close()
			return fmt.Errorf("postgres did not come up: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop shuts postgres down, fast (SIGINT: no waiting for clients), kills it
// if it lingers, and removes its directory.
func (c *Cluster) stop() error {
	if c.admin != nil {
		c.admin.Close()
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	var err error
	select {
	case <-c.exited:
	case <-time.After(time.Minute):
		c.cmd.Process.Kill()
		<-c.exited
		err = errors.New("pgtest: postgres did not stop within a minute; killed it")
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}
