package bench

// The benchmarks of several nodes compare, in one run, a lone
// parley-server with two nodes of a cluster. All are on PostgreSQL (a
// throwaway server, pgtest); the two nodes are joined by a NATS server
// embedded in the benchmark (natstest). The lone node has no --nats, so
// the ratios are what a second node and NATS cost, not what PostgreSQL
// costs beside SQLite.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"parley/internal/harness"
	"parley/internal/natstest"
	"parley/internal/pgtest"
	"parley/protocol"
	"parley/server/store"
)

// startNodes creates users u0 … in a new database of pg (as seedUsers
// does) and starts n parley-server nodes on it: one alone, or several
// joined by the NATS server at nats. It returns them and the users'
// tokens, which every node takes: the key that signs them is in the
// database.
func startNodes(b *testing.B, pg *pgtest.Cluster, nats string, n, users int) ([]*harness.Server, []string) {
	b.Helper()
	url := pg.NewDatabase(b)
	db, err := store.OpenPostgres(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	tokens := createUsers(b, db, users)
	db.Close()
	args := []string{"--db", url, "--max-conns-per-addr", "-1"} // every client is on loopback
	if n > 1 {
		args = append(args, "--nats", nats)
	}
	nodes := make([]*harness.Server, n)
	for i := range nodes {
		nodes[i] = harness.StartServer(b, "", args...)
	}
	return nodes, tokens
}

func stopNodes(nodes []*harness.Server) {
	for _, n := range nodes {
		n.Stop()
	}
}

// compareHeader and compareRow print a table of figures on one node and on
// two, and their ratio.
func compareHeader(title string) {
	fmt.Printf("%s\n  %-34s %10s %10s %8s\n", title, "", "one node", "two nodes", "two/one")
}

func compareRow(name string, one, two float64) {
	fmt.Printf("  %-34s %10.2f %10.2f %7.2fx\n", name, one, two, two/one)
}

// BenchmarkNodesInvite measures invite delivery as BenchmarkInviteLatency
// does (1,000 users, 200 call set-ups a second for 15 s): first with
// callers and callees on a lone node, then with the callers on one node of
// two and the callees on the other. There the invite reaches the callee
// over NATS, and the accept and hang-up go back to the call's owner, the
// callers' node, by NATS request-reply.
func BenchmarkNodesInvite(b *testing.B) {
	const users = 1000
	pg := pgtest.Start(b)
	nats := natstest.Start(b)
	for b.Loop() {
		lone, tokens := startNodes(b, pg, nats, 1, users)
		one := placeCalls(b, lone[0].URL, lone[0].URL, tokens)
		stopNodes(lone)
		pair, tokens := startNodes(b, pg, nats, 2, users)
		two := placeCalls(b, pair[0].URL, pair[1].URL, tokens)
		stopNodes(pair)

		b.ReportMetric(ms(one.lat.at(0.5)), "1node-p50-ms")
		b.ReportMetric(ms(one.lat.at(0.99)), "1node-p99-ms")
		b.ReportMetric(ms(two.lat.at(0.5)), "2nodes-p50-ms")
		b.ReportMetric(ms(two.lat.at(0.99)), "2nodes-p99-ms")
		compareHeader(fmt.Sprintf("invite delivery, caller sends call.invite -> callee's device has call.incoming; %d users, %d call set-ups/s for %s (goal: two nodes p99 < 20 ms and within 2x of one node)",
			users, inviteRate, inviteDuration))
		for _, r := range []struct {
			name string
			q    float64
		}{{"p50 (ms)", 0.5}, {"p90 (ms)", 0.9}, {"p99 (ms)", 0.99}, {"max (ms)", 1}} {
			compareRow(r.name, ms(one.lat.at(r.q)), ms(two.lat.at(r.q)))
		}
		fmt.Printf("  calls placed %d and %d (skipped as still live %d and %d), invites received %d and %d\n  machine: %s\n",
			one.placed, two.placed, one.skipped, two.skipped, len(one.lat), len(two.lat), machine())
	}
}

// The messages chatFanOut sends: a few to warm up, then those measured,
// at most fanOutRate a second, below a connection's limit (30 a second).
const (
	fanOutWarmUp   = 5
	fanOutMessages = 100
	fanOutRate     = 25
)

// chatFanOut connects a device of each user of tokens, member i to node
// i mod len(nodes), and has u0 make a group of them all and send it
// messages, each once the last has reached everybody. It
// measures, for each, the time from u0 sending it until the last of the
// others' devices received it.
func chatFanOut(b *testing.B, nodes []*harness.Server, tokens []string) latencies {
	b.Helper()
	conns := make([]*websocket.Conn, len(tokens))
	names := make([]string, len(tokens))
	for i := range conns {
		ws, err := dial(nodes[i%len(nodes)].URL, tokens[i], "d")
		if err != nil {
			b.Fatal(err)
		}
		conns[i], names[i] = ws, userName(i)
	}
	// Made after everybody connected, the group brings no storm of
	// presence: people became contacts after they came online.
	var group protocol.ConversationReply
	if err := request(conns[0], protocol.TypeGroupCreate, protocol.GroupCreate{Name: "fan-out", Members: names[1:]}, &group); err != nil {
		b.Fatal(err)
	}
	waitOnline(b, nodes[0].URL, tokens[0], names)

	var (
		current atomic.Int64 // the message measured: its text is its number
		sentAt  atomic.Int64 // when, in unix ns
		pending atomic.Int32 // devices it has yet to reach
		strays  atomic.Int32 // messages received twice or out of turn
	)
	reachedAll := make(chan time.Duration, 1)
	var wg sync.WaitGroup
	for _, ws := range conns[1:] {
		wg.Go(func() {
			for {
				_, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var env protocol.Envelope
				if json.Unmarshal(data, &env) != nil || env.Type != protocol.TypeChatMessage {
					continue
				}
				var m protocol.Message
				if json.Unmarshal(env.Payload, &m) != nil || m.Text != strconv.FormatInt(current.Load(), 10) {
					strays.Add(1)
					continue
				}
				if pending.Add(-1) == 0 {
					reachedAll <- time.Since(time.Unix(0, sentAt.Load()))
				}
			}
		})
	}
	wg.Go(func() { // the sender's replies
		for {
			if _, _, err := conns[0].ReadMessage(); err != nil {
				return
			}
		}
	})
	var lat latencies
	tick := time.NewTicker(time.Second / fanOutRate)
	defer tick.Stop()
	for k := range fanOutWarmUp + fanOutMessages {
		<-tick.C
		current.Store(int64(k))
		pending.Store(int32(len(conns) - 1))
		sentAt.Store(time.Now().UnixNano())
		frame, _ := protocol.Encode(protocol.TypeChatSend, "s", protocol.ChatSend{
			Conversation: group.Conversation.ID, ClientID: "m" + strconv.Itoa(k), Text: strconv.Itoa(k)})
		if err := conns[0].WriteMessage(websocket.TextMessage, frame); err != nil {
			b.Fatal(err)
		}
		select {
		case d := <-reachedAll:
			if k >= fanOutWarmUp {
				lat = append(lat, d)
			}
		case <-time.After(30 * time.Second):
			b.Fatalf("message %d: %d of %d devices did not receive it within 30 s", k, pending.Load(), len(conns)-1)
		}
	}
	for _, ws := range conns {
		ws.Close()
	}
	wg.Wait()
	if n := strays.Load(); n > 0 {
		b.Fatalf("%d messages arrived twice or out of turn", n)
	}
	slices.Sort(lat)
	return lat
}

// BenchmarkNodesChatFanOut measures chat delivery to a group of 200
// (protocol.MaxGroupMembers), every member connected with one device (see
// chatFanOut): first on a lone node, then on two nodes with the members
// alternating between them, the sender and 99 others on one, 100 on the
// other.
func BenchmarkNodesChatFanOut(b *testing.B) {
	const members = protocol.MaxGroupMembers
	pg := pgtest.Start(b)
	nats := natstest.Start(b)
	for b.Loop() {
		lone, tokens := startNodes(b, pg, nats, 1, members)
		one := chatFanOut(b, lone, tokens)
		stopNodes(lone)
		pair, tokens := startNodes(b, pg, nats, 2, members)
		two := chatFanOut(b, pair, tokens)
		stopNodes(pair)

		b.ReportMetric(ms(one.at(0.5)), "1node-p50-ms")
		b.ReportMetric(ms(one.at(0.99)), "1node-p99-ms")
		b.ReportMetric(ms(two.at(0.5)), "2nodes-p50-ms")
		b.ReportMetric(ms(two.at(0.99)), "2nodes-p99-ms")
		compareHeader(fmt.Sprintf("chat fan-out, a member sends chat.send -> the last of the other %d members' devices has chat.message; %d messages, one at a time, at most %d/s",
			members-1, fanOutMessages, fanOutRate))
		for _, r := range []struct {
			name string
			q    float64
		}{{"p50 (ms)", 0.5}, {"p99 (ms)", 0.99}, {"max (ms)", 1}} {
			compareRow(r.name, ms(one.at(r.q)), ms(two.at(r.q)))
		}
		fmt.Printf("  machine: %s\n", machine())
	}
}

// BenchmarkNodesIdleMemory measures memory per idle connection as
// BenchmarkIdleConnections does, with 2,000 users rather than 10,000 (it
// runs twice, on a shared machine): first on a lone node, then on one of
// two nodes. The other node's growth is what it keeps of the users of the
// first: their presence.
func BenchmarkNodesIdleMemory(b *testing.B) {
	const users = 2000
	pg := pgtest.Start(b)
	nats := natstest.Start(b)
	for b.Loop() {
		lone, tokens := startNodes(b, pg, nats, 1, users)
		one := connectIdle(b, lone[0], tokens)
		oneGo := goMemory(b, lone[0].URL)
		one.close()
		stopNodes(lone)
		pair, tokens := startNodes(b, pg, nats, 2, users)
		otherBefore := rss(b, pair[1].Pid())
		two := connectIdle(b, pair[0], tokens)
		otherGrowth := float64(rss(b, pair[1].Pid())-otherBefore) / float64(len(two.conns))
		twoGo := goMemory(b, pair[0].URL)
		two.close()
		stopNodes(pair)

		b.ReportMetric(one.perConn()/1024, "1node-KB/conn")
		b.ReportMetric(two.perConn()/1024, "2nodes-KB/conn")
		compareHeader(fmt.Sprintf("memory per idle connection, %d users connected to one node (goal <= 20 KB)", users))
		compareRow("RSS growth per connection (KB)", one.perConn()/1024, two.perConn()/1024)
		fmt.Printf("  RSS %.1f MB -> %.1f MB alone, %.1f MB -> %.1f MB with --nats; the other node grew %.1f KB per user connected to the first\n  Go runtime after, alone: %s\n  with --nats: %s\n  machine: %s\n",
			mib(one.before), mib(one.after), mib(two.before), mib(two.after), otherGrowth/1024, oneGo, twoGo, machine())
	}
}
