// Package natstest runs a NATS server inside the test process, on a free
// loopback port, for tests of several Parley nodes.
package natstest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Start starts a NATS server for tb, stops it when tb ends, and returns
// its URL (nats://127.0.0.1:PORT).
func Start(tb testing.TB) string {
	tb.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	if err != nil {
		tb.Fatal(err)
	}
	ns.Start()
	tb.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	if !ns.ReadyForConnections(20 * time.Second) {
		tb.Fatal("the NATS server did not come up")
	}
	return ns.ClientURL()
}
