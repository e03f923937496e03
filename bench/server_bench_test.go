// Package bench measures parley-server from outside, as a separate process
// on loopback: memory per idle connection and invite delivery latency.
// `make bench` runs it and prints the figures; docs/benchmarks.md keeps them.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"

	"parley/internal/harness"
	"parley/protocol"
	"parley/server/auth"
	"parley/server/store"
)

// seedUsers creates n users (u0 … un-1) straight in a data directory and
// returns tokens for them (see createUsers).
func seedUsers(b *testing.B, dir string, n int) []string {
	b.Helper()
	db, err := store.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	return createUsers(b, db, n)
}

// createUsers creates n users (u0 … un-1) straight in a store and returns
// tokens for them, signed with the server's own key, which the store keeps.
// Registering through the API would spend minutes in bcrypt, which is not
// what these benchmarks measure.
func createUsers(b *testing.B, db *store.DB, n int) []string {
	b.Helper()
	ctx := context.Background()
	key, err := db.Secret(ctx)
	if err != nil {
		b.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	signer := auth.NewSigner(key, nil)
	tokens := make([]string, n)
	for i := range tokens {
		if err := db.CreateUser(ctx, userName(i), hash); err != nil {
			b.Fatal(err)
		}
		tokens[i], _ = signer.Issue(userName(i), time.Hour)
	}
	return tokens
}

// userName is the name of the i-th seeded user.
func userName(i int) string { return "u" + strconv.Itoa(i) }

// dial opens a websocket and says hello.
func dial(url, token, device string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(url, "http")+protocol.PathWS, nil)
	if err != nil {
		return nil, err
	}
	frame, _ := protocol.Encode(protocol.TypeHello, "h", protocol.Hello{Version: protocol.Version, Token: token, Device: device})
	if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		ws.Close()
		return nil, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		ws.Close()
		return nil, err
	}
	if !strings.Contains(string(data), `"type":"reply"`) {
		ws.Close()
		return nil, fmt.Errorf("hello refused: %s", data)
	}
	_ = ws.SetReadDeadline(time.Time{})
	return ws, nil
}

// request sends a request on ws, which nothing else reads meanwhile, and
// decodes its reply into reply, passing over the events that come first.
func request(ws *websocket.Conn, typ string, payload, reply any) error {
	frame, _ := protocol.Encode(typ, "r", payload)
	if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return err
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	defer ws.SetReadDeadline(time.Time{})
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		var env protocol.Envelope
		if json.Unmarshal(data, &env) != nil || env.ID != "r" {
			continue
		}
		if env.Error != nil {
			return fmt.Errorf("%s: %w", typ, env.Error)
		}
		return json.Unmarshal(env.Payload, reply)
	}
}

// waitOnline waits until the server at url, asked by a second device of the
// user of token, has all of users online. A node hears of the devices on
// other nodes a moment after they connect.
func waitOnline(b *testing.B, url, token string, users []string) {
	b.Helper()
	ws, err := dial(url, token, "presence-probe")
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var reply protocol.PresenceReply
		if err := request(ws, protocol.TypePresenceQuery, protocol.PresenceQuery{Users: users}, &reply); err != nil {
			b.Fatal(err)
		}
		offline := 0
		for _, p := range reply.Users {
			if !p.Online {
				offline++
			}
		}
		if offline == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d users still offline on %s after 30 s", offline, len(users), url)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rss is a process's resident memory in bytes, from /proc.
func rss(b *testing.B, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs, %s %s/%s", cpu, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// BenchmarkIdleConnections connects 10,000 users, one device each, and
// reports how much the server's resident memory grew per connection.
func BenchmarkIdleConnections(b *testing.B) {
	const n = 10000
	for b.Loop() {
		dir := b.TempDir()
		tokens := seedUsers(b, dir, n)
		srv := harness.StartServer(b, dir, "--max-conns-per-addr", "-1") // every client is on loopback
		idle := connectIdle(b, srv, tokens)
		per := idle.perConn()
		b.ReportMetric(per/1024, "KB/conn")
		fmt.Printf("idle connections: %d users connected in %s; server RSS %.1f MB -> %.1f MB; %.1f KB per connection (goal <= 20 KB)\n  Go runtime after: %s\n  machine: %s\n",
			len(idle.conns), idle.took.Round(time.Millisecond), mib(idle.before), mib(idle.after), per/1024, goMemory(b, srv.URL), machine())
		idle.close()
		srv.Stop()
	}
}

// warmConns is how many connections connectIdle makes before it measures:
// the first connections pay for one-time allocations.
const warmConns = 10

// idleRun is what connecting idle devices to a server measured.
type idleRun struct {
	conns         []*websocket.Conn
	took          time.Duration // to connect all but the warm-up ones
	before, after int64         // the server's RSS, after the warm-up and once settled after the rest
}

// connectIdle connects a device of each user of tokens to srv, 64 at a time,
// and measures the server's resident memory before and after all but the
// warm-up connections.
func connectIdle(b *testing.B, srv *harness.Server, tokens []string) idleRun {
	b.Helper()
	var r idleRun
	for _, token := range tokens[:warmConns] {
		ws, err := dial(srv.URL, token, "warm")
		if err != nil {
			b.Fatal(err)
		}
		r.conns = append(r.conns, ws)
	}
	time.Sleep(500 * time.Millisecond)
	r.before = rss(b, srv.Pid())
	start := time.Now()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var failed atomic.Int32
	for _, token := range tokens[warmConns:] {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ws, err := dial(srv.URL, token, "d")
			if err != nil {
				failed.Add(1)
				return
			}
			mu.Lock()
			r.conns = append(r.conns, ws)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.took = time.Since(start)
	if failed.Load() > 0 {
		b.Fatalf("%d connections failed:\n%s", failed.Load(), srv.Log())
	}
	time.Sleep(2 * time.Second) // let the server settle
	r.after = rss(b, srv.Pid())
	return r
}

// perConn is the growth of the server's RSS per connection measured, in bytes.
func (r idleRun) perConn() float64 {
	return float64(r.after-r.before) / float64(len(r.conns)-warmConns)
}

func (r idleRun) close() {
	for _, ws := range r.conns {
		ws.Close()
	}
}

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// goMemory reads the server's Go memory figures from /metrics.
func goMemory(b *testing.B, url string) string {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		for _, name := range []string{"go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "go_memstats_heap_idle_bytes", "go_memstats_heap_released_bytes", "go_goroutines"} {
			if f := strings.Fields(line); len(f) == 2 && f[0] == name {
				v, _ := strconv.ParseFloat(f[1], 64)
				if name == "go_goroutines" {
					out = append(out, fmt.Sprintf("goroutines %.0f", v))
				} else {
					out = append(out, fmt.Sprintf("%s %.1f MB", strings.TrimSuffix(strings.TrimPrefix(name, "go_memstats_"), "_bytes"), v/(1<<20)))
				}
			}
		}
	}
	return strings.Join(out, ", ")
}

// pairClient is one side of the invite benchmark: a connection and its
// reader, which answers invites and records when they arrived.
type pairClient struct {
	ws *websocket.Conn
	mu sync.Mutex // one writer at a time
}

func (p *pairClient) send(typ, id string, payload any) {
	frame, _ := protocol.Encode(typ, id, payload)
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_ = p.ws.WriteMessage(websocket.TextMessage, frame)
}

// BenchmarkInviteLatency keeps 1,000 users connected and places 200 calls a
// second between 500 pairs (invite, accept, hang up) for 15 s, measuring
// the time from the caller sending the invite to the callee's device
// receiving it.
func BenchmarkInviteLatency(b *testing.B) {
	const users = 1000
	for b.Loop() {
		dir := b.TempDir()
		tokens := seedUsers(b, dir, users)
		srv := harness.StartServer(b, dir, "--max-conns-per-addr", "-1")
		run := placeCalls(b, srv.URL, srv.URL, tokens)
		srv.Stop()
		b.ReportMetric(ms(run.lat.at(0.5)), "p50-ms")
		b.ReportMetric(ms(run.lat.at(0.99)), "p99-ms")
		fmt.Printf("invite delivery: %d users connected, %d calls placed in %s (%.0f/s, %d skipped as still live), %d invites received; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 < 20 ms)\n  machine: %s\n",
			users, run.placed, inviteDuration, float64(run.placed)/inviteDuration.Seconds(), run.skipped, len(run.lat),
			ms(run.lat.at(0.5)), ms(run.lat.at(0.9)), ms(run.lat.at(0.99)), ms(run.lat.at(1)), machine())
	}
}

// The load of placeCalls: call set-ups a second, for how long.
const (
	inviteRate     = 200
	inviteDuration = 15 * time.Second
)

// inviteRun is what placeCalls measured.
type inviteRun struct {
	placed, skipped int
	lat             latencies // of the invites received
}

// placeCalls connects the users of tokens in pairs, the caller u(2p) to
// the server at callerURL and the callee u(2p+1) to the one at calleeURL,
// and places inviteRate calls a second for inviteDuration, round the pairs
// (a pair whose last call is still live is skipped). The callee accepts
// each invite and hangs up at once. It measures the time from the caller
// sending the invite to the callee's device receiving it.
func placeCalls(b *testing.B, callerURL, calleeURL string, tokens []string) inviteRun {
	b.Helper()
	clients := make([]*pairClient, len(tokens))
	var callees []string
	for i := range clients {
		url := callerURL
		if i%2 == 1 {
			url = calleeURL
			callees = append(callees, userName(i))
		}
		ws, err := dial(url, tokens[i], "d")
		if err != nil {
			b.Fatal(err)
		}
		clients[i] = &pairClient{ws: ws}
	}
	waitOnline(b, callerURL, tokens[0], callees)
	pairs := len(clients) / 2
	sentAt := make([]atomic.Int64, pairs) // unix ns of the pair's outstanding invite; 0 when free
	var latMu sync.Mutex
	var run inviteRun
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := clients[i]
			pair, callee := i/2, i%2 == 1
			for {
				_, data, err := c.ws.ReadMessage()
				if err != nil {
					return
				}
				var env protocol.Envelope
				if json.Unmarshal(data, &env) != nil {
					continue
				}
				switch {
				case callee && env.Type == protocol.TypeCallIncoming:
					d := time.Since(time.Unix(0, sentAt[pair].Load()))
					latMu.Lock()
					run.lat = append(run.lat, d)
					latMu.Unlock()
					var inc protocol.CallIncoming
					_ = json.Unmarshal(env.Payload, &inc)
					c.send(protocol.TypeCallAccept, "a", protocol.CallRef{CallID: inc.Call.ID})
					c.send(protocol.TypeCallHangup, "h", protocol.CallRef{CallID: inc.Call.ID})
				case !callee && env.Type == protocol.TypeCallUpdate:
					var u protocol.CallUpdate
					_ = json.Unmarshal(env.Payload, &u)
					if u.Event == protocol.EventEnded {
						sentAt[pair].Store(0)
					}
				}
			}
		}(i)
	}
	tick := time.NewTicker(time.Second / inviteRate)
	end := time.Now().Add(inviteDuration)
	for next := 0; time.Now().Before(end); next++ {
		<-tick.C
		p := next % pairs
		if !sentAt[p].CompareAndSwap(0, time.Now().UnixNano()) {
			run.skipped++
			continue
		}
		clients[2*p].send(protocol.TypeCallInvite, "i", protocol.CallInvite{
			Conversation: protocol.DirectConversation(userName(2*p), userName(2*p+1)), Media: protocol.MediaAudio})
		run.placed++
	}
	tick.Stop()
	time.Sleep(time.Second)
	for _, c := range clients {
		c.ws.Close()
	}
	wg.Wait()
	if len(run.lat) == 0 {
		b.Fatal("no invite arrived")
	}
	slices.Sort(run.lat)
	return run
}

// latencies are delays measured, sorted.
type latencies []time.Duration

// at is the quantile q (0.5: the median, 1: the maximum).
func (l latencies) at(q float64) time.Duration { return l[int(q*float64(len(l)-1))] }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
