package e2e

import (
	"os"
	"reflect"
	"testing"

	"parley/internal/harness"
	"parley/internal/pgtest"
)

// TestPostgresStore: parley-server keeps its state in PostgreSQL with --db.
// Two parley-cli users chat and call through it; a second server process
// on the same database, on another port with another data directory, shows
// the same history once the first has stopped, and takes the accounts.
func TestPostgresStore(t *testing.T) {
	t.Parallel()
	db := pgtest.Start(t).NewDatabase(t)
	first := harness.StartServer(t, "", "--db", db)
	cli(t, first, "alice", "register")
	first.AddUser("bob", "pw-bob") // through `parley-server --db … user add`
	cli(t, first, "alice", "send", "bob", "hello from postgres")
	pair(t, first, "alice", []string{"bob", "--hold", "1s", "--test-media"}, "bob", []string{"--test-media"})

	want := lines(t, cli(t, first, "bob", "history", "alice"))
	if len(want) != 2 || want[0].str("text") != "hello from postgres" || want[0].num("seq") != 1 ||
		want[1].str("type") != "call_record" || want[1].str("outcome") != "completed" || want[1].num("seq") != 2 {
		t.Fatalf("history %v; want the message, then the call's record", want)
	}
	first.Stop()
	if files, err := os.ReadDir(first.Data); err != nil || len(files) != 0 {
		t.Errorf("the data directory holds %v (%v); with --db it holds nothing", files, err)
	}

	second := harness.StartServer(t, "", "--db", db)
	if got := lines(t, cli(t, second, "alice", "history", "bob")); !reflect.DeepEqual(got, want) {
		t.Errorf("the second server's history %v; want %v", got, want)
	}
}
