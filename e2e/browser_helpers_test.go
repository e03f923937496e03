package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
)

// Helpers of the browser tests. Their users' passwords are "pw-" + name,
// as harness.RunCLI expects.

func webUsers(t *testing.T, srv *harness.Server, names ...string) {
	t.Helper()
	for _, n := range names {
		srv.AddUser(n, "pw-"+n)
	}
}

// webCLI runs parley-cli to its end and returns its output, failing the
// test if it did not exit 0.
func webCLI(t *testing.T, srv *harness.Server, user string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, errs, code := srv.CLI(ctx, user, args...)
	if code != 0 {
		t.Fatalf("parley-cli %s %v: exit %d\n%s%s", user, args, code, out, errs)
	}
	return out
}

// webCLIAsync runs parley-cli in the background; the channel gets its
// output when it ends.
func webCLIAsync(t *testing.T, srv *harness.Server, user string, args ...string) <-chan string {
	done := make(chan string, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, errs, code := srv.CLI(ctx, user, args...)
		if code != 0 {
			out += fmt.Sprintf("\nexit %d: %s", code, errs)
		}
		done <- out
	}()
	return done
}

// jsonLines parses the JSON lines of parley-cli's output.
func jsonLines(out string) []map[string]any {
	var ls []map[string]any
	for _, l := range strings.Split(out, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			ls = append(ls, m)
		}
	}
	return ls
}

// webSummary is the summary line of a call or answer run.
func webSummary(t *testing.T, out string) map[string]any {
	t.Helper()
	for _, l := range jsonLines(out) {
		if l["summary"] == true {
			return l
		}
	}
	t.Fatalf("no summary in:\n%s", out)
	return nil
}
