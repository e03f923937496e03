package e2e

import (
	"slices"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// Helpers of the browser tests. Their users' passwords are "pw-" + name,
// as harness.RunCLI expects.

func webUsers(t *testing.T, srv *harness.Server, names ...string) {
	t.Helper()
	for _, n := range names {
		srv.AddUser(n, "pw-"+n)
	}
}

// cliRingsBrowser has parley-cli, as alice, call the browser's bob (with
// --test-media and args) and waits until the page rings: "alice invites
// you to a video call", as the desktop app says.
func cliRingsBrowser(t *testing.T, srv *harness.Server, b *webtest.Browser, args ...string) *cliProcess {
	t.Helper()
	alice := startCLI(t, srv, "alice", append([]string{"call", "bob", "--test-media"}, args...)...)
	kind := "a voice call"
	if slices.Contains(args, "--video") {
		kind = "a video call"
	}
	b.Wait("#incoming h2", "alice invites you to "+kind, 20*time.Second)
	return alice
}

// browserCallsCLI has parley-cli, as alice, answer (with --test-media and
// args) the call of media that the browser places, and waits until the
// call runs.
func browserCallsCLI(t *testing.T, srv *harness.Server, b *webtest.Browser, media string, args ...string) *cliProcess {
	t.Helper()
	alice := startCLI(t, srv, "alice", append([]string{"answer", "--test-media"}, args...)...)
	b.Call(media)
	b.Wait("#incall #timer", "00:0", 30*time.Second)
	return alice
}
