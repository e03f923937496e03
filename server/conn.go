package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"parley/protocol"
)

// Websocket timings. A client answers pings within pongWait or is gone;
// every frame has Config.WriteTimeout to go out. After the close frame the
// client has closeWait to answer it before the socket is closed.
const (
	helloWait    = 10 * time.Second
	pongWait     = 60 * time.Second
	pingInterval = 25 * time.Second
	closeWait    = time.Second
)

// Close codes beyond the standard ones.
const (
	websocketGoingAway = websocket.CloseGoingAway
	closeReplaced      = 4000 // another connection of the same device took over
	closeTooSlow       = 4001 // the client did not read its events fast enough
	closeTooMany       = 4002 // over the devices of a user or the connections of an address
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
	addr   string // the remote host, for the per-address cap
	out    outbox
	done   chan struct{} // closed to stop the writer
	read   chan struct{} // closed when the reader has stopped
	once   sync.Once
	code   int
	reason string
	user   string
	device string
	limit  bucket
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	open, over := s.devices.open(addr)
	if !open {
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.devices.release(addr)
		return // the upgrader has answered
	}
	c := &conn{
		s:     s,
		ws:    ws,
		addr:  addr,
		out:   newOutbox(s.cfg.SendQueue),
		done:  make(chan struct{}),
		read:  make(chan struct{}),
		limit: newBucket(s.cfg.Rate, s.cfg.Burst),
	}
	c.s.metrics.connections.Inc()
	// The hello is handled here, on net/http's goroutine, which then ends:
	// net/http frees the request and its buffers, and the stack that JSON
	// and token checks grew goes with it. The connection lives on in a
	// fresh reader and writer that stay small while the client is idle.
	c.ws.SetReadLimit(protocol.MaxFrame)
	_ = c.ws.SetReadDeadline(time.Now().Add(helloWait))
	if over {
		c.close(closeTooMany, fmt.Sprintf("too many connections from this address (at most %d)", s.cfg.MaxConnsPerAddr))
	} else {
		c.hello()
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		c.writeLoop()
	}()
	go c.run(wrote)
}

// run is the connection's reader; it owns the writer goroutine and ends
// after it. When the hello failed or was refused, the connection is already
// closing (or its socket failed), and the read loop only waits for the
// client's answer to the close.
func (c *conn) run(wrote <-chan struct{}) {
	defer c.s.devices.release(c.addr)
	defer c.s.metrics.connections.Dec()
	c.readLoop()
	close(c.read)
	c.close(websocket.CloseNormalClosure, "")
	<-wrote
	c.offline()
}

// enqueue queues a frame; a client whose queue is full is cut off. It never
// blocks: events are sent with the call engine's lock held.
func (c *conn) enqueue(frame []byte) bool { return c.queue(frame, false) }

// refuse answers a frame over the rate with rate_limited, unless such an
// answer is still waiting to be written: a client that waits for each
// reply gets every one, and a flood cannot fill the queue with refusals.
func (c *conn) refuse(data []byte) {
	c.queue(protocol.EncodeError(envelopeID(data), protocol.Errorf(protocol.CodeRateLimited, "too many messages; slow down")), true)
}

func (c *conn) queue(frame []byte, refusal bool) bool {
	if c.closing() {
		return false
	}
	if !c.out.push(frame, refusal) {
		c.s.log.Warn("client too slow; disconnecting", "user", c.user, "device", c.device, "queued", c.s.cfg.SendQueue)
		c.close(closeTooSlow, "too slow reading events")
		return false
	}
	return true
}

// close asks the writer to send a close frame and stop.
func (c *conn) close(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

func (c *conn) closing() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// writeLoop sends queued frames and pings until the connection closes, then
// says goodbye and closes the socket, which also ends the reader's wait for
// the client.
func (c *conn) writeLoop() {
	defer c.ws.Close()
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		var err error
		select {
		case <-c.out.ready:
			err = c.flush()
		case <-ping.C:
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.s.cfg.WriteTimeout))
		case <-c.done:
		}
		if err != nil {
			c.writeFailed(err)
		}
		if c.closing() {
			c.goodbye()
			return
		}
	}
}

// flush writes every frame queued so far.
func (c *conn) flush() error {
	for _, frame := range c.out.take() {
		_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
		if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
			return err
		}
		c.s.metrics.framesOut.Inc()
	}
	return nil
}

// writeFailed closes the connection after a failed write. A write that
// timed out means the client's socket is full: it is not reading.
func (c *conn) writeFailed(err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.s.log.Warn("client too slow; disconnecting", "user", c.user, "device", c.device, "err", err)
		c.close(closeTooSlow, "too slow reading events")
		return
	}
	c.close(websocket.CloseAbnormalClosure, "")
}

// goodbye sends what was queued before the close (an error reply, say) and
// the close frame, and gives the client closeWait to answer it, so that
// closing the socket does not reset it under frames the client has not
// read. A client cut off for not reading gets nothing more than the close
// frame, and not even that if its socket is full (the write fails at once).
func (c *conn) goodbye() {
	if c.code == websocket.CloseAbnormalClosure {
		return // the socket failed
	}
	if c.code != closeTooSlow && c.flush() != nil {
		return
	}
	msg := websocket.FormatCloseMessage(c.code, c.reason)
	if c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeWait)) != nil {
		return
	}
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-c.read:
	case <-t.C:
	}
}

// readLoop reads and handles frames until the socket fails or closes. Once
// the connection is closing it handles nothing more and only reads on, for
// the client's answer to the close frame.
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
		if c.closing() {
			continue
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
		c.s.metrics.framesIn.Inc()
		if !c.limit.allow(c.s.rateClock()) {
			c.refuse(data)
			continue
		}
		c.handle(data)
	}
}

// envelopeID is the id of a frame, when it can be read.
func envelopeID(data []byte) string {
	env, _ := protocol.DecodeEnvelope(data)
	if env == nil {
		return ""
	}
	return env.ID
}

// hello authenticates the connection with its first frame and registers
// it; when it fails, the connection is closing.
func (c *conn) hello() {
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return
	}
	env, err := protocol.DecodeEnvelope(data)
	if err != nil {
		c.fail("", err)
		return
	}
	if env.Type != protocol.TypeHello {
		c.fail(env.ID, protocol.Errorf(protocol.CodeNotReady, "the first message must be hello"))
		return
	}
	var h protocol.Hello
	if err := protocol.DecodePayload(env.Payload, &h); err != nil {
		c.fail(env.ID, err)
		return
	}
	user, err := c.s.signer.Verify(h.Token)
	if err != nil {
		c.fail(env.ID, protocol.Errorf(protocol.CodeUnauthorized, "%v; log in again", err))
		return
	}
	c.user, c.device = user, h.Device
	welcome, _ := protocol.Encode(protocol.TypeReply, env.ID, protocol.Welcome{
		User: user, Device: h.Device, ServerTimeMS: time.Now().UnixMilli(), Version: protocol.Version})
	added, first, replaced := c.s.devices.add(c, welcome)
	if !added {
		return
	}
	if replaced != nil {
		replaced.close(closeReplaced, "replaced by a newer connection of this device")
	}
	c.s.deviceChanged(user, h.Device, true)
	if first {
		c.s.presence.changed(user)
	}
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
	removed, last := c.s.devices.remove(c)
	if !removed {
		return
	}
	c.s.deviceChanged(c.user, c.device, false)
	if last {
		c.s.presence.changed(c.user)
	}
}

// deviceChanged tells the calls of this node, and of the other nodes, that
// a device came or went: it rings for invites waiting, or gets the grace
// to come back to a call it was in.
func (s *Server) deviceChanged(user, device string, online bool) {
	if online {
		s.calls.DeviceOnline(user, device)
	} else {
		s.calls.DeviceOffline(user, device)
	}
	if s.nodes != nil {
		s.nodes.DeviceChanged(user, device, online)
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

// outbox holds the frames waiting for a connection's writer, at most max of
// them. It grows as frames come and lets go of them as the writer takes
// them, so an idle connection holds no queue memory.
type outbox struct {
	mu      sync.Mutex
	frames  [][]byte
	refusal bool // a rate_limited reply is among the frames
	max     int
	ready   chan struct{} // holds a token while frames may be waiting
}

func newOutbox(max int) outbox {
	return outbox{max: max, ready: make(chan struct{}, 1)}
}

// push queues a frame, unless max frames are waiting already. A refusal (a
// rate_limited reply) is dropped, as though queued, while another waits.
func (o *outbox) push(frame []byte, refusal bool) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if refusal && o.refusal {
		return true
	}
	if len(o.frames) >= o.max {
		return false
	}
	o.frames = append(o.frames, frame)
	o.refusal = o.refusal || refusal
	select {
	case o.ready <- struct{}{}:
	default:
	}
	return true
}

// take removes and returns every waiting frame.
func (o *outbox) take() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	frames := o.frames
	o.frames, o.refusal = nil, false
	return frames
}
