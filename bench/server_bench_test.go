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
	"sort"
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
// returns tokens for them, signed with the server's own key. Registering
// through the API would spend minutes in bcrypt, which is not what these
// benchmarks measure.
func seedUsers(b *testing.B, dir string, n int) []string {
	b.Helper()
	db, err := store.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	key, err := db.Secret(ctx)
	if err != nil {
		b.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	signer := auth.NewSigner(key, nil)
	tokens := make([]string, n)
	for i := range tokens {
		name := "u" + strconv.Itoa(i)
		if err := db.CreateUser(ctx, name, hash); err != nil {
			b.Fatal(err)
		}
		tokens[i], _ = signer.Issue(name, time.Hour)
	}
	return tokens
}

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
		// Warm up: the first connections pay for one-time allocations.
		var conns []*websocket.Conn
		for i := 0; i < 10; i++ {
			ws, err := dial(srv.URL, tokens[i], "warm")
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, ws)
		}
		time.Sleep(500 * time.Millisecond)
		before := rss(b, srv.Pid())
		start := time.Now()
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 64)
		var failed atomic.Int32
		for i := 10; i < n; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func(i int) {
				defer wg.Done()
				defer func() { <-sem }()
				ws, err := dial(srv.URL, tokens[i], "d")
				if err != nil {
					failed.Add(1)
					return
				}
				mu.Lock()
				conns = append(conns, ws)
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		took := time.Since(start)
		if failed.Load() > 0 {
			b.Fatalf("%d connections failed:\n%s", failed.Load(), srv.Log())
		}
		time.Sleep(2 * time.Second) // let the server settle
		after := rss(b, srv.Pid())
		goMem := goMemory(b, srv.URL)
		per := float64(after-before) / float64(n-10)
		b.ReportMetric(per/1024, "KB/conn")
		fmt.Printf("idle connections: %d users connected in %s; server RSS %.1f MB -> %.1f MB; %.1f KB per connection (goal <= 20 KB)\n  Go runtime after: %s\n  machine: %s\n",
			len(conns), took.Round(time.Millisecond), float64(before)/(1<<20), float64(after)/(1<<20), per/1024, goMem, machine())
		for _, ws := range conns {
			ws.Close()
		}
		srv.Stop()
	}
}

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
	const (
		users    = 1000
		rate     = 200
		duration = 15 * time.Second
	)
	for b.Loop() {
		dir := b.TempDir()
		tokens := seedUsers(b, dir, users)
		srv := harness.StartServer(b, dir, "--max-conns-per-addr", "-1")
		clients := make([]*pairClient, users)
		for i := range clients {
			ws, err := dial(srv.URL, tokens[i], "d")
			if err != nil {
				b.Fatal(err)
			}
			clients[i] = &pairClient{ws: ws}
		}
		pairs := users / 2
		sentAt := make([]atomic.Int64, pairs) // unix ns of the pair's outstanding invite; 0 when free
		var latMu sync.Mutex
		var lat []time.Duration
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
						lat = append(lat, d)
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
		tick := time.NewTicker(time.Second / rate)
		end := time.Now().Add(duration)
		next, placed, skipped := 0, 0, 0
		for time.Now().Before(end) {
			<-tick.C
			p := next % pairs
			next++
			if !sentAt[p].CompareAndSwap(0, time.Now().UnixNano()) {
				skipped++
				continue
			}
			caller := clients[2*p]
			caller.send(protocol.TypeCallInvite, "i", protocol.CallInvite{
				Conversation: protocol.DirectConversation("u"+strconv.Itoa(2*p), "u"+strconv.Itoa(2*p+1)), Media: protocol.MediaAudio})
			placed++
		}
		tick.Stop()
		time.Sleep(time.Second)
		for _, c := range clients {
			c.ws.Close()
		}
		wg.Wait()
		srv.Stop()
		latMu.Lock()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		q := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))] }
		if len(lat) == 0 {
			b.Fatal("no invite arrived")
		}
		b.ReportMetric(float64(q(0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
		fmt.Printf("invite delivery: %d users connected, %d calls placed in %s (%.0f/s, %d skipped as still live), %d invites received; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (goal p99 < 20 ms)\n  machine: %s\n",
			users, placed, duration, float64(placed)/duration.Seconds(), skipped, len(lat),
			ms(q(0.5)), ms(q(0.9)), ms(q(0.99)), ms(lat[len(lat)-1]), machine())
		latMu.Unlock()
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
