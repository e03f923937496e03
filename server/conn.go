package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"parley/protocol"
)

// Websocket timings. A client answers pings within pongWait or is gone;
// every write has writeWait to finish.
const (
	helloWait    = 10 * time.Second
	pongWait     = 60 * time.Second
	pingInterval = 25 * time.Second
	writeWait    = 10 * time.Second
)

// Close codes beyond the standard ones.
const (
	websocketGoingAway = websocket.CloseGoingAway
	closeReplaced      = 4000 // another connection of the same device took over
	closeTooSlow       = 4001 // the client did not read its events fast enough
)

var upgrader = websocket.Upgrader{
	// A small read buffer (frames larger than it are still read whole), and
	// write buffers borrowed from a pool only while writing: an idle
	// connection should cost little memory.
	ReadBufferSize:   1024,
	WriteBufferPool:  &sync.Pool{},
	HandshakeTimeout: 10 * time.Second,
	CheckOrigin:      sameOrigin,
}

// sameOrigin accepts clients that send no Origin (programs) and pages served
// by this server; another site's page cannot open a socket with a user's
// token.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, scheme := range []string{"http://", "https://"} {
		if origin == scheme+r.Host {
			return true
		}
	}
	return false
}

// conn is one websocket connection: a reader goroutine reads and handles
// requests, one writer goroutine sends what is queued.
type conn struct {
	s      *Server
	ws     *websocket.Conn
	send   chan []byte
	done   chan struct{} // closed to stop the writer
	once   sync.Once
	code   int
	reason string
	user   string
	device string
	limit  bucket
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !s.hub.open() {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.hub.conns.Done()
		return // the upgrader has answered
	}
	c := &conn{
		s:     s,
		ws:    ws,
		send:  make(chan []byte, s.cfg.SendQueue),
		done:  make(chan struct{}),
		limit: newBucket(s.cfg.Rate, s.cfg.Burst),
	}
	c.s.metrics.connections.Inc()
	// The hello is handled here, on net/http's goroutine, which then ends:
	// net/http frees the request and its buffers, and the stack that JSON
	// and token checks grew goes with it. The connection lives on in a
	// fresh reader and writer that stay small while the client is idle.
	c.ws.SetReadLimit(protocol.MaxFrame)
	_ = c.ws.SetReadDeadline(time.Now().Add(helloWait))
	ok := c.hello()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		c.writeLoop()
	}()
	go c.run(ok, wrote)
}

// run is the connection's reader; it owns the writer goroutine and ends
// after it.
func (c *conn) run(ok bool, wrote <-chan struct{}) {
	defer c.s.hub.conns.Done()
	defer c.s.metrics.connections.Dec()
	if ok {
		c.readLoop()
	}
	c.close(websocket.CloseNormalClosure, "")
	<-wrote
	c.ws.Close()
	c.offline()
}

// enqueue queues a frame; a client whose queue is full is cut off.
func (c *conn) enqueue(frame []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- frame:
		return true
	default:
		c.s.log.Warn("client too slow; disconnecting", "user", c.user, "device", c.device)
		c.close(closeTooSlow, "too slow reading events")
		return false
	}
}

// close asks the writer to send a close frame and stop.
func (c *conn) close(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

func (c *conn) writeLoop() {
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case frame := <-c.send:
			if !c.write(frame) {
				c.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ping.C:
			if c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				c.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.done:
			// Flush what was queued before the close (an error reply, say).
			for len(c.send) > 0 && c.code != closeTooSlow {
				if !c.write(<-c.send) {
					return
				}
			}
			msg := websocket.FormatCloseMessage(c.code, c.reason)
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			// Unblock the reader if the peer does not answer the close.
			_ = c.ws.SetReadDeadline(time.Now().Add(time.Second))
			return
		}
	}
}

func (c *conn) write(frame []byte) bool {
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return false
	}
	c.s.metrics.framesOut.Inc()
	return true
}

func (c *conn) readLoop() {
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			// An oversize frame ends here too: gorilla has already sent
			// close code 1009 (message too big) to the client.
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		c.s.metrics.framesIn.Inc()
		if !c.limit.allow(time.Now()) {
			env, _ := protocol.DecodeEnvelope(data)
			id := ""
			if env != nil {
				id = env.ID
			}
			c.enqueue(protocol.EncodeError(id, protocol.Errorf(protocol.CodeRateLimited, "too many messages; slow down")))
			continue
		}
		c.handle(data)
	}
}

// hello authenticates the connection with its first frame.
func (c *conn) hello() bool {
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return false
	}
	env, err := protocol.DecodeEnvelope(data)
	if err != nil {
		c.fail("", err)
		return false
	}
	if env.Type != protocol.TypeHello {
		c.fail(env.ID, protocol.Errorf(protocol.CodeNotReady, "the first message must be hello"))
		return false
	}
	var h protocol.Hello
	if err := protocol.DecodePayload(env.Payload, &h); err != nil {
		c.fail(env.ID, err)
		return false
	}
	user, err := c.s.signer.Verify(h.Token)
	if err != nil {
		c.fail(env.ID, protocol.Errorf(protocol.CodeUnauthorized, "%v; log in again", err))
		return false
	}
	c.user, c.device = user, h.Device
	// The welcome goes first: no event may reach the client before it.
	frame, _ := protocol.Encode(protocol.TypeReply, env.ID, protocol.Welcome{
		User: user, Device: h.Device, ServerTimeMS: time.Now().UnixMilli(), Version: protocol.Version})
	c.enqueue(frame)
	first, replaced := c.s.hub.add(c)
	if replaced != nil {
		replaced.close(closeReplaced, "replaced by a newer connection of this device")
	}
	c.s.calls.DeviceOnline(user, h.Device)
	if first {
		c.s.hub.presenceChanged(user)
	}
	return true
}

// fail answers a request with an error and closes the connection.
func (c *conn) fail(id string, err error) {
	c.enqueue(protocol.EncodeError(id, asProtocolError(err)))
	c.close(websocket.ClosePolicyViolation, "")
}

// offline runs when the connection is over.
func (c *conn) offline() {
	if c.user == "" {
		return
	}
	removed, last := c.s.hub.remove(c)
	if !removed {
		return
	}
	c.s.calls.DeviceOffline(c.user, c.device)
	if last {
		c.s.hub.presenceChanged(c.user)
	}
}

func asProtocolError(err error) *protocol.Error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return protocol.Errorf(protocol.CodeInternal, "the server took too long; try again")
	}
	return protocol.Errorf(protocol.CodeInternal, "the server failed; try again")
}

// bucket is a token bucket: rate tokens a second, at most burst saved up.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate, burst float64) bucket {
	return bucket{rate: rate, burst: burst, tokens: burst}
}

func (b *bucket) allow(now time.Time) bool {
	if !b.last.IsZero() {
		b.tokens += now.Sub(b.last).Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
