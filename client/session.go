package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"parley/protocol"
)

// sendQueue is how many frames may wait for the writer; a request that
// finds it full waits, within its timeout.
const sendQueue = 64

// session is one websocket connection after a successful hello. A reader
// goroutine dispatches what arrives; a writer goroutine makes every write
// but control frames. Both end when the session closes.
type session struct {
	c     *Client
	ws    *websocket.Conn
	clock serverClock // measured at hello
	out   chan []byte
	wg    sync.WaitGroup

	once sync.Once
	done chan struct{} // closed when the session is over
	err  error         // why; set before done is closed

	mu      sync.Mutex
	pending map[string]chan *protocol.Envelope // requests waiting for a reply, by id
}

// open dials the websocket and says hello.
func (c *Client) open(ctx context.Context) (*session, error) {
	c.mu.Lock()
	token := c.login.Token
	c.mu.Unlock()
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.opts.RequestTimeout, TLSClientConfig: c.opts.tlsConfig()}
	ws, resp, err := d.DialContext(ctx, c.wsURL, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("server at %s refused the websocket: %s", c.opts.BaseURL, resp.Status)
		}
		return nil, unreachable(c.opts.BaseURL, err)
	}
	s, err := c.hello(ctx, ws, token)
	if err != nil {
		ws.Close()
		return nil, err
	}
	return s, nil
}

// hello is the first exchange on a websocket; its round trip also measures
// the clock offset.
func (c *Client) hello(ctx context.Context, ws *websocket.Conn, token string) (*session, error) {
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	ws.SetReadLimit(protocol.MaxFrame)
	id := c.nextID()
	frame, err := encodeRequest(protocol.TypeHello, id,
		&protocol.Hello{Version: protocol.Version, Token: token, Device: c.opts.Device})
	if err != nil {
		return nil, err
	}
	sent := time.Now()
	ws.SetWriteDeadline(sent.Add(c.opts.RequestTimeout))
	ws.SetReadDeadline(sent.Add(c.opts.RequestTimeout))
	if err := ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return nil, fmt.Errorf("hello: %w", orCause(ctx, err))
	}
	_, data, err := ws.ReadMessage()
	got := time.Now()
	if err != nil {
		return nil, fmt.Errorf("hello: %w", orCause(ctx, err))
	}
	env, err := protocol.DecodeEnvelope(data)
	if err != nil {
		return nil, fmt.Errorf("hello: %w", err)
	}
	if env.ID != id {
		return nil, fmt.Errorf("hello: the server answered with %q before the welcome", env.Type)
	}
	var w protocol.Welcome
	if err := decodeReply(env, &w); err != nil {
		return nil, fmt.Errorf("hello: %w", err)
	}
	return &session{
		c:       c,
		ws:      ws,
		clock:   measureClock(sent, got, w.ServerTimeMS),
		out:     make(chan []byte, sendQueue),
		done:    make(chan struct{}),
		pending: make(map[string]chan *protocol.Envelope),
	}, nil
}

// orCause prefers ctx's reason to err, which is then only its symptom (a
// read from the socket that ctx's end closed).
func orCause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

func (s *session) start(state string) {
	s.wg.Add(2)
	go s.read(state)
	go s.write()
}

// read announces the connection with the event state, so that it comes
// before anything the server sends on it, then dispatches what arrives.
func (s *session) read(state string) {
	defer s.wg.Done()
	s.c.emit(stateEvent(state, nil))
	alive := func() { s.ws.SetReadDeadline(time.Now().Add(3 * s.c.opts.KeepAlive)) }
	ping := s.ws.PingHandler()
	s.ws.SetPingHandler(func(m string) error { alive(); return ping(m) })
	s.ws.SetPongHandler(func(string) error { alive(); return nil })
	for {
		alive()
		_, data, err := s.ws.ReadMessage()
		if err != nil {
			s.close(err)
			return
		}
		s.c.dispatch(s, data)
	}
}

func (s *session) write() {
	defer s.wg.Done()
	ping := time.NewTicker(s.c.opts.KeepAlive)
	defer ping.Stop()
	for {
		var err error
		select {
		case <-s.done:
			return
		case frame := <-s.out:
			s.ws.SetWriteDeadline(time.Now().Add(s.c.opts.RequestTimeout))
			err = s.ws.WriteMessage(websocket.TextMessage, frame)
		case <-ping.C:
			err = s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.c.opts.RequestTimeout))
		}
		if err != nil {
			s.close(err)
			return
		}
	}
}

// close ends the session for the reason err. The client forgets it first,
// so that whoever sees done closed also sees the client disconnected.
func (s *session) close(err error) {
	s.once.Do(func() {
		s.c.detach(s)
		s.err = err
		close(s.done)
		s.ws.Close()
	})
}

// shutdown ends the session politely, telling the server it is going.
func (s *session) shutdown() {
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	s.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	s.close(ErrClosed)
}

// expect registers a request id; its reply will arrive on the channel.
func (s *session) expect(id string) chan *protocol.Envelope {
	ch := make(chan *protocol.Envelope, 1)
	s.mu.Lock()
	s.pending[id] = ch
	s.mu.Unlock()
	return ch
}

func (s *session) forget(id string) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// resolve hands a reply to its request. A reply that comes after its
// request gave up is dropped.
func (s *session) resolve(env *protocol.Envelope) {
	s.mu.Lock()
	ch, ok := s.pending[env.ID]
	delete(s.pending, env.ID)
	s.mu.Unlock()
	if !ok {
		s.c.log.Debug("dropping a reply nobody waits for", "id", env.ID, "type", env.Type)
		return
	}
	ch <- env // buffered, and each id is resolved at most once
}

// dispatch routes one frame from the server: replies to their requests,
// chat messages through the catch-up bookkeeping, other events to Events.
func (c *Client) dispatch(s *session, data []byte) {
	env, err := protocol.DecodeEnvelope(data)
	switch {
	case err != nil:
		c.log.Warn("ignoring a malformed frame from the server", "err", err)
	case env.ID != "":
		s.resolve(env)
	case env.Type == protocol.TypeError:
		c.log.Warn("the server reported an error", "err", env.Error)
	case env.Type == protocol.TypeChatMessage:
		c.liveMessage(env.Payload)
	default:
		c.emit(Event{Type: env.Type, Payload: env.Payload})
	}
}

// decodeReply turns a reply into reply, or an error reply into its
// *protocol.Error.
func decodeReply(env *protocol.Envelope, reply any) error {
	switch env.Type {
	case protocol.TypeError:
		if env.Error == nil {
			return protocol.Errorf(protocol.CodeInternal, "the server sent an error without details")
		}
		return env.Error
	case protocol.TypeReply:
		if reply == nil || len(env.Payload) == 0 {
			return nil
		}
		if err := json.Unmarshal(env.Payload, reply); err != nil {
			return fmt.Errorf("malformed reply: %w", err)
		}
		return nil
	}
	return fmt.Errorf("expected a reply, got %q", env.Type)
}
