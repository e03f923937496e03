package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// TestLoginThrottleIsExplained: after too many wrong passwords the CLI and
// the browser say why a login is refused and when to try again.
func TestLoginThrottleIsExplained(t *testing.T) {
	srv := harness.StartServer(t, "")
	srv.AddUser("alice", "right-password") // the CLI sends pw-alice: wrong
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const throttled = "too many wrong passwords for alice; try again in "
	for i := range 11 {
		_, errs, code := srv.CLI(ctx, "alice", "history", "bob")
		want := "wrong user name or password"
		if i == 10 {
			want = throttled
		}
		if code == 0 || !strings.Contains(errs, want) {
			t.Fatalf("attempt %d: exit %d, %q; want an error with %q", i, code, errs, want)
		}
	}
	b := webtest.Start(t, webtest.Options{})
	b.Goto(srv.URL + "/")
	b.Fill("#login-user", "alice")
	b.Fill("#login-password", "right-password")
	b.Click("#login-submit")
	b.Wait("#login-status", throttled, 15*time.Second)
}
