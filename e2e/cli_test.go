package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/client"
	"parley/internal/harness"
)

// cliLine is one JSON line of parley-cli's output, loosely.
type cliLine map[string]any

func lines(t *testing.T, out string) []cliLine {
	t.Helper()
	var ls []cliLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l cliLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		ls = append(ls, l)
	}
	return ls
}

func (l cliLine) str(k string) string { s, _ := l[k].(string); return s }
func (l cliLine) num(k string) float64 {
	f, _ := l[k].(float64)
	return f
}

// summary is the last line, which must be the summary.
func summaryOf(t *testing.T, out string) cliLine {
	t.Helper()
	ls := lines(t, out)
	if len(ls) == 0 || ls[len(ls)-1]["summary"] != true {
		t.Fatalf("no summary line at the end of:\n%s", out)
	}
	return ls[len(ls)-1]
}

func events(t *testing.T, out, name string) []cliLine {
	var ls []cliLine
	for _, l := range lines(t, out) {
		if l.str("event") == name {
			ls = append(ls, l)
		}
	}
	return ls
}

// cli runs parley-cli and fails the test on a non-zero exit.
func cli(t *testing.T, srv *harness.Server, user string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, errOut, code := srv.CLI(ctx, user, args...)
	if code != 0 {
		t.Fatalf("parley-cli %s %v: exit %d\n%s\n%s", user, args, code, errOut, out)
	}
	return out
}

// pair runs answer as callee and, once it waits, call as caller; it
// returns both outputs.
func pair(t *testing.T, srv *harness.Server, caller string, callArgs []string, callee string, answerArgs []string) (callOut, answerOut string) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var errOut string
		var code int
		answerOut, errOut, code = srv.CLI(ctx, callee, append([]string{"answer", "--wait", "60s"}, answerArgs...)...)
		if code != 0 {
			t.Errorf("answer: exit %d: %s\n%s", code, errOut, answerOut)
		}
	}()
	waitOnline(t, srv, caller, callee)
	callOut = cli(t, srv, caller, append([]string{"call"}, callArgs...)...)
	wg.Wait()
	return callOut, answerOut
}

// waitOnline waits until the callee's answer command has connected, so
// that the invite rings at once rather than waiting for it.
func waitOnline(t *testing.T, srv *harness.Server, asker, user string, opts ...func(*client.Options)) {
	t.Helper()
	c := dial(t, srv.URL, asker, opts...)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var r struct {
			Users []struct {
				Online bool `json:"online"`
			} `json:"users"`
		}
		if err := c.Request(context.Background(), "presence.query", map[string]any{"users": []string{user}}, &r); err == nil && len(r.Users) == 1 && r.Users[0].Online {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never came online", user)
}

// cliServer starts a server with users that parley-cli registered.
func cliServer(t *testing.T, users ...string) *harness.Server {
	t.Helper()
	srv := harness.StartServer(t, "")
	for _, u := range users {
		cli(t, srv, u, "register")
	}
	return srv
}

// lastRecord is the newest call record in user's history with peer.
func lastRecord(t *testing.T, srv *harness.Server, user, peer string) cliLine {
	t.Helper()
	ls := lines(t, cli(t, srv, user, "history", peer))
	for i := len(ls) - 1; i >= 0; i-- {
		if ls[i].str("type") == "call_record" {
			if _, ok := ls[i]["duration_ms"]; !ok {
				t.Fatalf("call record without duration_ms: %v", ls[i])
			}
			return ls[i]
		}
	}
	t.Fatalf("no call record in %s's history with %s", user, peer)
	return nil
}

func TestCLIChat(t *testing.T) {
	t.Parallel()
	srv := cliServer(t, "alice", "bob", "carol")
	cli(t, srv, "alice", "send", "bob", "hello bob")
	cli(t, srv, "bob", "send", "alice", "hi", "alice")
	h := lines(t, cli(t, srv, "bob", "history", "alice"))
	if len(h) != 2 || h[0].str("text") != "hello bob" || h[1].str("text") != "hi alice" || h[1].num("seq") != 2 {
		t.Fatalf("history %v", h)
	}
	if h := lines(t, cli(t, srv, "alice", "history", "bob", "--limit", "1")); len(h) != 1 || h[0].str("text") != "hi alice" {
		t.Fatalf("history --limit 1: %v", h)
	}
	id := strings.TrimSpace(cli(t, srv, "alice", "group", "create", "team", "bob", "carol"))
	if id == "" || strings.Contains(id, ":") {
		t.Fatalf("group id %q", id)
	}
	cli(t, srv, "carol", "send", "group:"+id, "hi team")
	if h := lines(t, cli(t, srv, "bob", "history", "group:"+id)); len(h) != 1 || h[0].str("from") != "carol" {
		t.Fatalf("group history %v", h)
	}
	// Errors: a clear message and a non-zero exit.
	ctx := context.Background()
	for _, tc := range []struct {
		user string
		args []string
		code int
		msg  string
	}{
		{"alice", []string{"send", "nobody", "hi"}, 1, "no such user"},
		{"mallory", []string{"history", "bob"}, 1, "password"},
		{"alice", []string{"call"}, 2, "PEER"},
		{"alice", []string{"dance"}, 2, "unknown command"},
		{"bob", []string{"answer", "--wait", "1s"}, 1, "no incoming call"},
	} {
		out, errOut, code := srv.CLI(ctx, tc.user, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and %q", tc.args, code, errOut, out, tc.code, tc.msg)
		}
	}
	_, errOut, code := harness.RunCLI(ctx, t, "http://"+harness.FreeAddr(t), "alice", "send", "bob", "hi")
	if code == 0 || !strings.Contains(errOut, "reach") {
		t.Errorf("unreachable server: exit %d, %q", code, errOut)
	}
}

// TestCLICallOutcomes runs a call to each outcome and checks the summary
// on both sides and the record in the conversation.
func TestCLICallOutcomes(t *testing.T) {
	t.Parallel()
	srv := cliServer(t, "alice", "bob", "carol", "dave")
	media := []string{"--test-media"}

	t.Run("completed", func(t *testing.T) {
		c, a := pair(t, srv, "alice", append([]string{"bob", "--hold", "1s"}, media...), "bob", media)
		for _, out := range []string{c, a} {
			if s := summaryOf(t, out); s.str("outcome") != "completed" || s.num("duration_ms") < 900 {
				t.Fatalf("summary %v", s)
			}
		}
		if r := lastRecord(t, srv, "bob", "alice"); r.str("outcome") != "completed" || r.num("duration_ms") < 900 || r.str("media") != "audio" {
			t.Fatalf("record %v", r)
		}
	})
	t.Run("declined", func(t *testing.T) {
		c, a := pair(t, srv, "alice", append([]string{"bob", "--video"}, media...), "bob", append([]string{"--decline"}, media...))
		if s := summaryOf(t, c); s.str("outcome") != "declined" {
			t.Fatalf("caller summary %v", s)
		}
		if s := summaryOf(t, a); s.str("outcome") != "declined" {
			t.Fatalf("callee summary %v", s)
		}
		if r := lastRecord(t, srv, "alice", "bob"); r.str("outcome") != "declined" || r.str("media") != "video" {
			t.Fatalf("record %v", r)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		c := cli(t, srv, "alice", append([]string{"call", "carol", "--cancel-after", "1s"}, media...)...)
		if s := summaryOf(t, c); s.str("outcome") != "cancelled" {
			t.Fatalf("summary %v", s)
		}
		if r := lastRecord(t, srv, "carol", "alice"); r.str("outcome") != "cancelled" {
			t.Fatalf("record %v", r)
		}
	})
	t.Run("no answer", func(t *testing.T) {
		c := cli(t, srv, "alice", append([]string{"call", "dave", "--timeout", "5s"}, media...)...)
		s := summaryOf(t, c)
		if s.str("outcome") != "no_answer" {
			t.Fatalf("summary %v", s)
		}
		if cd := events(t, c, "countdown"); len(cd) < 4 || cd[len(cd)-1].num("seconds_left") > 1 {
			t.Fatalf("countdown %v", cd)
		}
		if r := lastRecord(t, srv, "dave", "alice"); r.str("outcome") != "no_answer" || r.num("duration_ms") != 0 {
			t.Fatalf("record %v", r)
		}
	})
	t.Run("busy", func(t *testing.T) {
		// Carol talks to bob; alice's call to bob meets a busy line.
		answer := startCLI(t, srv, "bob", append([]string{"answer"}, media...)...)
		waitOnline(t, srv, "carol", "bob")
		talk := startCLI(t, srv, "carol", append([]string{"call", "bob", "--hold", "5s"}, media...)...)
		talk.waitFor(t, `"connected"`)
		c := cli(t, srv, "alice", append([]string{"call", "bob"}, media...)...)
		if s := summaryOf(t, c); s.str("outcome") != "busy" {
			t.Fatalf("summary %v", s)
		}
		if s := summaryOf(t, talk.wait(t)); s.str("outcome") != "completed" {
			t.Fatalf("carol's call %v", s)
		}
		answer.wait(t)
		if r := lastRecord(t, srv, "alice", "bob"); r.str("outcome") != "busy" {
			t.Fatalf("record %v", r)
		}
	})
}

// cliProcess is a parley-cli running in the background.
type cliProcess struct {
	cmd    *exec.Cmd
	lines  chan string
	out    strings.Builder
	errs   strings.Builder // read once cmd.Wait has returned
	cancel context.CancelFunc
	done   chan struct{}
}

func startCLI(t *testing.T, srv *harness.Server, user string, args ...string) *cliProcess {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	p := &cliProcess{lines: make(chan string, 4096), cancel: cancel, done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, harness.Binary(t, "parley-cli"), append([]string{"--server", srv.URL, "--user", user}, args...)...)
	p.cmd.Env = append(p.cmd.Environ(), "PARLEY_PASSWORD=pw-"+user)
	p.cmd.Stderr = &p.errs
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.out.WriteString(sc.Text() + "\n")
			p.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
		_ = p.cmd.Wait()
	})
	return p
}

// waitFor reads lines until one contains s.
func (p *cliProcess) waitFor(t *testing.T, s string) {
	t.Helper()
	for l := range p.lines {
		if strings.Contains(l, s) {
			return
		}
	}
	t.Fatalf("parley-cli ended without printing %s:\n%s", s, p.out.String())
}

// wait waits for the process to end and returns all it printed.
func (p *cliProcess) wait(t *testing.T) string {
	t.Helper()
	for range p.lines {
	}
	<-p.done
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("parley-cli: %v\n%s%s", err, p.out.String(), p.errs.String())
	}
	return p.out.String()
}

// TestServerRestartDuringRinging kills the server while a call rings. The
// restarted server records the call as failed and nobody is left busy.
func TestServerRestartDuringRinging(t *testing.T) {
	t.Parallel()
	srv := cliServer(t, "alice", "bob")
	ringing := startCLI(t, srv, "alice", "call", "bob", "--timeout", "60s", "--test-media")
	ringing.waitFor(t, `"invite_sent"`)
	srv.Kill()
	srv.Restart()
	if r := lastRecord(t, srv, "bob", "alice"); r.str("outcome") != "failed" {
		t.Fatalf("record %v", r)
	}
	ringing.cancel()
	c, _ := pair(t, srv, "alice", []string{"bob", "--hold", "1s", "--test-media"}, "bob", []string{"--test-media"})
	if s := summaryOf(t, c); s.str("outcome") != "completed" {
		t.Fatalf("call after the restart: %v", s)
	}
}
