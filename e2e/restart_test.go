package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"parley/web/webtest"
)

// TestServerRestartDuringCall kills the server mid-call and starts it
// again on the same data and address. Media, peer to peer, goes on while
// signaling is down; once both sides are back, the server does not
// restate the call it forgot, so each side ends it as failed, as its
// record says, prints its summary and exits.
func TestServerRestartDuringCall(t *testing.T) {
	t.Parallel()
	srv := cliServer(t, "alice", "bob")
	// Held far longer than the test lasts: only the restart ends the call.
	bob := startCLI(t, srv, "bob", "answer", "--wait", "10m", "--hold", "10m", "--test-media")
	waitOnline(t, srv, "alice", "bob")
	alice := startCLI(t, srv, "alice", "call", "bob", "--hold", "10m", "--test-media")
	sides := []*cliProcess{alice, bob}
	for _, p := range sides {
		p.waitFor(t, `"connected"`)
	}

	srv.Kill()
	for _, p := range sides {
		p.next(t, "signaling to drop", func(l cliLine) bool { return l.str("event") == "disconnected" })
	}
	// The second stats line after the drop measures a span when signaling
	// was down all along.
	for _, p := range sides {
		stats := func(l cliLine) bool { return l.str("event") == "stats" }
		p.next(t, "stats", stats)
		l := p.next(t, "stats", stats)
		st, _ := l["stats"].(map[string]any)
		if in, _ := st["bitrate_in"].(float64); in == 0 {
			t.Errorf("no media came while the server was down: %v", l)
		}
	}
	srv.Restart()

	for _, p := range sides {
		p.next(t, "the reconnect", func(l cliLine) bool { return l.str("event") == "reconnected" })
		p.next(t, "the summary", func(l cliLine) bool { return l["summary"] == true })
		// The summary is the last line, and the command exits 0.
		if s := summaryOf(t, p.wait(t)); s.str("outcome") != "failed" {
			t.Errorf("summary %v; want the call failed", s)
		}
	}
	if r := lastRecord(t, srv, "bob", "alice"); r.str("outcome") != "failed" {
		t.Errorf("record %v", r)
	}
}

// TestBrowserCallAfterServerRestart: the same with the browser client on
// one side; it must end the call as failed too.
func TestBrowserCallAfterServerRestart(t *testing.T) {
	srv, b := webSignedIn(t, webtest.Options{})
	alice := browserCallsCLI(t, srv, b, "audio", "--wait", "10m", "--hold", "10m")
	alice.waitFor(t, `"connected"`)
	srv.Kill()
	b.Wait("#conn-status", "Reconnecting", restartBound)
	srv.Restart()
	b.Wait("#call-outcome", "Call failed", restartBound)
	alice.next(t, "the summary", func(l cliLine) bool { return l["summary"] == true })
	if s := summaryOf(t, alice.wait(t)); s.str("outcome") != "failed" {
		t.Errorf("parley-cli's summary %v; want the call failed", s)
	}
	checkPageClean(t, b)
}

// restartBound is how long a step of a restart may take. The clients'
// reconnect backoff grows to a few seconds during the outage; this only
// keeps a stuck run from hanging the test.
const restartBound = time.Minute

// next reads p's lines until one satisfies ok, failing the test if p
// ends first or none comes within restartBound.
func (p *cliProcess) next(t *testing.T, what string, ok func(cliLine) bool) cliLine {
	t.Helper()
	timeout := time.After(restartBound)
	var seen []string
	for {
		select {
		case raw, open := <-p.lines:
			if !open {
				t.Fatalf("parley-cli ended while waiting for %s; it printed meanwhile:\n%s", what, strings.Join(seen, "\n"))
			}
			seen = append(seen, raw)
			var l cliLine
			if json.Unmarshal([]byte(raw), &l) == nil && ok(l) {
				return l
			}
		case <-timeout:
			t.Fatalf("no %s within %v; parley-cli printed meanwhile:\n%s", what, restartBound, strings.Join(seen, "\n"))
		}
	}
}
