// Package harness starts the real parley binaries for end-to-end tests and
// benchmarks: a parley-server on a loopback port with its own data
// directory, parley-cli runs against it, and, for the desktop app, an Xvfb
// of the test's own.
package harness

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildMu sync.Mutex
	binDir  string
	built   = map[string]error{}
)

// Binary builds a command of this module once per test binary and returns
// its path. name is "parley" for the desktop app at the module root, the
// name of a command in cmd/, or the directory of another command from the
// module root (bench/cmd/videorender).
func Binary(tb testing.TB, name string) string {
	tb.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if binDir == "" {
		dir, err := os.MkdirTemp("", "parley-bin-")
		if err != nil {
			tb.Fatal(err)
		}
		binDir = dir
	}
	path := filepath.Join(binDir, filepath.FromSlash(name))
	err, ok := built[name]
	if !ok {
		pkg := "./" + name
		switch {
		case name == "parley":
			pkg = "."
		case !strings.Contains(name, "/"):
			pkg = "./cmd/" + name
		}
		c := exec.Command("go", "build", "-o", path, pkg)
		c.Dir = moduleRoot()
		if out, cerr := c.CombinedOutput(); cerr != nil {
			err = fmt.Errorf("building %s: %v\n%s", name, cerr, out)
		}
		built[name] = err
	}
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// Run runs a package's tests and then removes the binaries Binary built
// for them, which would otherwise pile up in the temp directory run after
// run. A package whose tests call Binary has TestMain call os.Exit(Run(m)).
func Run(m *testing.M) int {
	code := m.Run()
	buildMu.Lock()
	defer buildMu.Unlock()
	if binDir != "" {
		os.RemoveAll(binDir)
		binDir, built = "", map[string]error{}
	}
	return code
}

func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Server is a running parley-server process.
type Server struct {
	URL  string
	Addr string
	Data string
	cmd  *exec.Cmd
	log  *LockedBuffer
	bin  string
	args []string
	tb   testing.TB
}

// FreeAddr returns a loopback address with a port nobody listens on.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// StartServer runs parley-server on a free loopback port with a fresh data
// directory (or data, when not empty) and waits until /healthz answers. It
// is stopped when the test ends.
//
// It builds parley-cli too, before anything starts: built on its first
// run, the build (half a minute on a loaded machine) would count against
// whatever the test waits for meanwhile, such as a call placed to a
// parley-cli run started in a goroutine.
func StartServer(tb testing.TB, data string, args ...string) *Server {
	tb.Helper()
	Binary(tb, "parley-cli")
	if data == "" {
		data = tb.TempDir()
	}
	addr := FreeAddr(tb)
	scheme := "http://"
	if slices.Contains(args, "--tls-cert") {
		scheme = "https://"
	}
	s := &Server{URL: scheme + addr, Addr: addr, Data: data, bin: Binary(tb, "parley-server"), tb: tb,
		args: append([]string{"--addr", addr, "--data", data, "--turn-port", "0", "--turn-tcp-port", "0", "--turns-port", "0", "--media-port", "0", "--media-tcp-port", "0"}, args...)}
	s.start()
	tb.Cleanup(func() { s.Stop() })
	return s
}

func (s *Server) start() {
	s.tb.Helper()
	s.log = &LockedBuffer{}
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Stderr = s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	// Whether it answers, not who it is: the tests check certificates
	// themselves.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	s.tb.Fatalf("parley-server did not come up:\n%s", s.Log())
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Log is what the server wrote to standard error.
func (s *Server) Log() string { return s.log.String() }

// Stop ends the server gracefully (SIGTERM), killing it if it lingers.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// Kill ends the server at once, as a crash would.
func (s *Server) Kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
}

// Restart starts the server again on the same address and data.
func (s *Server) Restart() {
	s.tb.Helper()
	s.start()
}

// AddUser creates an account through `parley-server user add`, in the
// server's store: its data directory or its --db.
func (s *Server) AddUser(name, password string) {
	s.tb.Helper()
	args := []string{"--data", s.Data}
	if i := slices.Index(s.args, "--db"); i >= 0 && i+1 < len(s.args) {
		args = append(args, s.args[i:i+2]...)
	}
	cmd := exec.Command(s.bin, append(args, "user", "add", name)...)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		s.tb.Fatalf("user add %s: %v\n%s", name, err, out)
	}
}

// CLI runs parley-cli as user against the server and returns its standard
// output, standard error and exit code.
func (s *Server) CLI(ctx context.Context, user string, args ...string) (stdout, stderr string, code int) {
	return RunCLI(ctx, s.tb, s.URL, user, args...)
}

// RunCLI runs parley-cli; the password is "pw-" + user, given in the
// environment. A run that could not start (ctx was done) exits -1 with
// why in stderr rather than failing the test, which only the test's
// goroutine may do, and a test often waits on a run in another.
func RunCLI(ctx context.Context, tb testing.TB, url, user string, args ...string) (string, string, int) {
	cmd := exec.CommandContext(ctx, Binary(tb, "parley-cli"), append([]string{"--server", url, "--user", user}, args...)...)
	cmd.Env = append(os.Environ(), "PARLEY_PASSWORD=pw-"+user)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return out.String(), fmt.Sprintf("parley-cli: %v", err), -1
	}
	return out.String(), errb.String(), code
}

// LockedBuffer is a bytes.Buffer that a process can write while a test
// reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
