package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"parley/protocol"
)

// longWait bounds waits for what happens soon: far above what it takes on
// a loaded machine, and never asserted as a speed.
const longWait = 30 * time.Second

// patient is the server of the tests whose client reads only when the
// test gets to it: however long a loaded machine takes to get there, the
// server must not cut it off as a slow reader (TestClientThatStopsReadingIsCutOff
// checks that, with a short timeout).
var patient = Config{WriteTimeout: 10 * time.Minute}

// smallSendBuffers gives every accepted socket a small send buffer.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// Client receive buffers for connectSmall. A 4 KiB one also makes a slow
// link: on loopback it holds the window so small that data trickles.
const (
	slowLink  = 4096
	smallLink = 65536
)

// connectSmall connects and says hello over a socket with small buffers,
// readBuffer bytes on the client's side, served by a listener of its own:
// beyond a hundred KiB or so, what the client has not read yet waits in
// the server's queue.
func (ts *testServer) connectSmall(user, device string, readBuffer int) *peer {
	ts.t.Helper()
	web := httptest.NewUnstartedServer(ts.s)
	web.Listener = smallSendBuffers{web.Listener}
	web.Start()
	ts.t.Cleanup(web.Close)
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(readBuffer)
		}
		return c, err
	}}
	return ts.helloOver(&d, web.URL, user, device)
}

// stoppedClock is the rate limits' clock, moved only by the test.
type stoppedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (ts *testServer) stopClock() *stoppedClock {
	c := &stoppedClock{now: time.Now()}
	ts.s.rateClock = c.read
	return c
}

func (c *stoppedClock) read() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stoppedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// send sends a request without waiting for its reply.
func (p *peer) send(typ, id string, payload any) {
	p.t.Helper()
	frame, err := protocol.Encode(typ, id, payload)
	if err != nil {
		p.t.Fatal(err)
	}
	p.sendRaw(string(frame))
}

// closeError reads until the connection ends and returns why.
func (p *peer) closeError() error {
	_ = p.ws.SetReadDeadline(time.Now().Add(longWait))
	for {
		if _, _, err := p.ws.ReadMessage(); err != nil {
			return err
		}
	}
}

// closedWith checks that the server closed p with code and a reason
// containing why.
func (p *peer) closedWith(code int, why string) {
	p.t.Helper()
	var ce *websocket.CloseError
	if err := p.closeError(); !errors.As(err, &ce) || ce.Code != code || !strings.Contains(ce.Text, why) {
		p.t.Fatalf("connection ended with %v, want close %d %q", err, code, why)
	}
}

// framesIn is the server's count of frames received after hellos.
func (ts *testServer) framesIn() string {
	ts.t.Helper()
	_, body := ts.get("/metrics")
	for line := range strings.SplitSeq(string(body), "\n") {
		if n, ok := strings.CutPrefix(line, "parley_frames_received_total "); ok {
			return n
		}
	}
	ts.t.Fatal("no parley_frames_received_total in /metrics")
	return ""
}

// TestClientThatStopsReadingIsCutOff: a device that stops reading while
// events come is closed once a write has waited WriteTimeout, and goes
// offline for everyone at once, though it never closes its socket.
func TestClientThatStopsReadingIsCutOff(t *testing.T) {
	ts := startServer(t, Config{WriteTimeout: 500 * time.Millisecond})
	bob := ts.connectSmall("bob", "b1", slowLink)
	carol := ts.connect("carol", "c1")
	carol.ok(protocol.TypeChatSend, protocol.ChatSend{Conversation: protocol.DirectConversation("bob", "carol"), ClientID: "hi", Text: "hi"}, nil)
	alice := ts.connect("alice", "a1")
	// Bob reads nothing from here on. Sixty messages of 8,000 bytes are
	// far more than his socket buffers hold.
	text := strings.Repeat("x", 8000)
	for i := range 60 {
		alice.ok(protocol.TypeChatSend, protocol.ChatSend{Conversation: protocol.DirectConversation("alice", "bob"), ClientID: fmt.Sprint("m", i), Text: text}, nil)
	}
	_ = carol.ws.SetReadDeadline(time.Now().Add(longWait))
	for {
		_, data, err := carol.ws.ReadMessage()
		if err != nil {
			t.Fatalf("carol never heard that bob went offline: %v", err)
		}
		var env protocol.Envelope
		var pr protocol.Presence
		if json.Unmarshal(data, &env) == nil && env.Type == protocol.TypePresence && json.Unmarshal(env.Payload, &pr) == nil && pr.User == "bob" && !pr.Online {
			break
		}
	}
	// Bob's socket is closed: what it holds ends, rather than a read
	// waiting for more.
	var ne net.Error
	if err := bob.closeError(); errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("bob's socket is still open")
	}
}

// TestSignalBurstReachesReadingPeer: a caller's whole burst of candidates
// reaches the callee, who reads at its own pace over a slow link, and costs
// nobody the connection.
func TestSignalBurstReachesReadingPeer(t *testing.T) {
	ts := startServer(t, patient)
	clock := ts.stopClock()
	alice := ts.connect("alice", "a1")
	bob := ts.connectSmall("bob", "b1", slowLink)
	var call protocol.CallReply
	alice.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaAudio}, &call)
	bob.event(protocol.TypeCallIncoming)
	// With the invite, 119 candidates are alice's whole burst (Burst 120).
	const n = 119
	for i := range n {
		cand := fmt.Sprintf(`{"candidate":"candidate:%d 1 udp 2130706431 192.0.2.1 %d typ host","sdpMid":"0","sdpMLineIndex":0}`, i, 40000+i)
		alice.send(protocol.TypeCallSignal, fmt.Sprint("s", i), protocol.CallSignal{CallID: call.Call.ID, To: "bob", Kind: protocol.SignalCandidate, Candidate: json.RawMessage(cand)})
	}
	for i := range n {
		if env := alice.reply(fmt.Sprint("s", i)); env.Type != protocol.TypeReply {
			t.Fatalf("signal %d: %+v", i, env.Error)
		}
	}
	for i := 0; i < n; {
		env := bob.next()
		if env == nil {
			t.Fatalf("bob was cut off after %d candidates", i)
		}
		if env.Type != protocol.TypeCallSignal {
			continue
		}
		var sig protocol.CallSignal
		if err := json.Unmarshal(env.Payload, &sig); err != nil || !strings.Contains(string(sig.Candidate), fmt.Sprintf("candidate:%d ", i)) {
			t.Fatalf("candidate %d: got %s", i, env.Payload)
		}
		i++
	}
	// Both are still connected: after the bucket refills, each is answered.
	clock.advance(5 * time.Second)
	bob.ok(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{"alice"}}, nil)
	alice.ok(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{"bob"}}, nil)
}

// TestRequestBurstIsAnswered: a whole burst of requests sent back to back
// gets every reply, burst after burst, even when the client reads them only
// after the server has answered them all.
func TestRequestBurstIsAnswered(t *testing.T) {
	ts := startServer(t, patient)
	clock := ts.stopClock()
	p := ts.connectSmall("alice", "a1", smallLink)
	// A hundred long names make replies of 7 KB: the socket holds some
	// twenty of them, the server's queue must hold the rest.
	users := make([]string, 100)
	for i := range users {
		users[i] = fmt.Sprintf("user-with-a-long-name-%010d", i)
	}
	query, _ := json.Marshal(protocol.PresenceQuery{Users: users})
	const burst = 120
	for try := range 5 {
		for i := range burst {
			p.sendRaw(fmt.Sprintf(`{"type":%q,"id":"%d-%d","payload":%s}`, protocol.TypePresenceQuery, try, i, query))
		}
		eventually(t, "the server reading the burst", func() bool { return ts.framesIn() == fmt.Sprint((try+1)*burst) })
		for i := range burst {
			env := p.next()
			if env == nil {
				t.Fatalf("try %d: cut off after %d replies", try, i)
			}
			if env.Type != protocol.TypeReply || env.ID != fmt.Sprint(try, "-", i) {
				t.Fatalf("try %d, reply %d: got %s %s %+v", try, i, env.Type, env.ID, env.Error)
			}
		}
		clock.advance(5 * time.Second) // the bucket is full again
	}
}

// TestFloodIsRefusedAndForgiven: a flood far over the rate has its burst
// answered and the rest refused with rate_limited (in order; a refusal
// that would pile up on one not yet written is dropped), keeps its
// connection, and is forgiven once the bucket refills.
func TestFloodIsRefusedAndForgiven(t *testing.T) {
	ts := startServer(t, patient)
	clock := ts.stopClock()
	// Not the slow link: with a 4 KiB receive buffer that the client
	// leaves full, loopback TCP can hold the client's own frames back for
	// seconds at a time (its view of the server's window stops moving).
	// The reader outruns the writer all the same: most refusals come
	// while one is still waiting to be written, and are dropped.
	p := ts.connectSmall("alice", "a1", smallLink)
	const flood, burst = 2000, 120
	for i := range flood {
		p.send(protocol.TypePresenceQuery, fmt.Sprint("f", i), protocol.PresenceQuery{Users: []string{}})
	}
	eventually(t, "the server reading the flood", func() bool { return ts.framesIn() == fmt.Sprint(flood) })
	clock.advance(time.Second)
	p.send(protocol.TypePresenceQuery, "after", protocol.PresenceQuery{Users: []string{"alice"}})
	refused, last := 0, burst-1
	for i := 0; ; i++ {
		env := p.next()
		if env == nil {
			t.Fatalf("cut off after %d frames", i)
		}
		var n int
		_, _ = fmt.Sscanf(env.ID, "f%d", &n)
		switch {
		case i < burst:
			if env.Type != protocol.TypeReply || env.ID != fmt.Sprint("f", i) {
				t.Fatalf("frame %d: got %s %s %+v", i, env.Type, env.ID, env.Error)
			}
		case env.ID == "after":
			if env.Type != protocol.TypeReply || refused == 0 {
				t.Fatalf("after %d refusals: got %s %+v", refused, env.Type, env.Error)
			}
			return
		case env.Type != protocol.TypeError || env.Error.Code != protocol.CodeRateLimited:
			t.Fatalf("frame %d: got %s %s %+v, want rate_limited", i, env.Type, env.ID, env.Error)
		case n <= last:
			t.Fatalf("refusal for %s after one for f%d", env.ID, last)
		default:
			refused, last = refused+1, n
		}
	}
}

// TestDevicesPerUserAreCapped: a user's devices beyond MaxDevices are
// refused with 4002; a device that reconnects is not one more.
func TestDevicesPerUserAreCapped(t *testing.T) {
	ts := startServer(t, Config{MaxDevices: 2})
	ts.connect("alice", "a1")
	a2 := ts.connect("alice", "a2")
	p := ts.dial()
	p.send(protocol.TypeHello, "1", protocol.Hello{Version: protocol.Version, Token: ts.token("alice"), Device: "a3"})
	p.closedWith(closeTooMany, "too many devices")
	ts.connect("alice", "a2")
	a2.closedWith(closeReplaced, "replaced")
	bob := ts.connect("bob", "b1")
	var got protocol.PresenceReply
	bob.ok(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{"alice"}}, &got)
	if got.Users[0].Devices != 2 {
		t.Fatalf("alice has %d devices online, want 2", got.Users[0].Devices)
	}
}

// TestConnectionsPerAddressAreCapped: websockets from one address beyond
// MaxConnsPerAddr are refused with 4002, others' are not, and a closed
// connection frees its place.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	ts := startServer(t, Config{MaxConnsPerAddr: 2})
	alice := ts.connect("alice", "a1")
	ts.connect("bob", "b1")
	ts.dial().closedWith(closeTooMany, "too many connections")
	other := &websocket.Dialer{NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}
	ts.helloOver(other, ts.web.URL, "carol", "c1")
	alice.ws.Close()
	token := ts.token("alice")
	eventually(t, "alice's closed connection making room", func() bool {
		p := ts.dial()
		defer p.ws.Close()
		p.send(protocol.TypeHello, "1", protocol.Hello{Version: protocol.Version, Token: token, Device: "a1"})
		env := p.next()
		return env != nil && env.Type == protocol.TypeReply
	})
}
