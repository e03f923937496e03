package client

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"parley/protocol"
)

// fakeServer speaks just enough of the Parley server's protocol for the
// client's tests: login, hello, chat.send/sync, conversation.list and three
// test requests (echo, fail, slow). It can drop connections, refuse new
// ones, revoke tokens and run a skewed clock.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server
	url string
	wg  sync.WaitGroup // websocket handlers

	mu       sync.Mutex
	closed   bool
	skew     time.Duration // added to the server's clock
	tokens   map[string]bool
	logins   int
	dials    int // websocket attempts, refused ones included
	refuse   bool
	conns    map[*fakeConn]bool
	msgs     []protocol.Message // the chat store, oldest first
	syncPage int
	attempts map[string]int // chat.send tries by client_id
	// dropSends makes the next chat.sends store the message and then drop
	// the connection instead of replying.
	dropSends int
	// beforeSync runs before the next chat.sync is answered.
	beforeSync func()
	// afterWelcome runs right after each welcome, where the real server
	// restates the user's live calls.
	afterWelcome func(c *fakeConn)
}

type fakeConn struct {
	ws *websocket.Conn
	mu sync.Mutex
}

func (c *fakeConn) send(typ, id string, payload any) {
	frame, err := protocol.Encode(typ, id, payload)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.WriteMessage(websocket.TextMessage, frame)
}

func (c *fakeConn) fail(id string, e *protocol.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.WriteMessage(websocket.TextMessage, protocol.EncodeError(id, e))
}

const testPassword = "secret"

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{
		t:        t,
		tokens:   make(map[string]bool),
		conns:    make(map[*fakeConn]bool),
		syncPage: 2,
		attempts: make(map[string]int),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+protocol.PathLogin, f.login)
	mux.HandleFunc("POST "+protocol.PathRegister, f.register)
	mux.HandleFunc("GET "+protocol.PathWS, f.websocket)
	f.srv = httptest.NewServer(mux)
	f.url = f.srv.URL
	t.Cleanup(f.close)
	return f
}

func (f *fakeServer) close() {
	f.set(func(f *fakeServer) { f.closed = true })
	f.srv.Close()
	f.drop()
	f.wg.Wait()
}

func (f *fakeServer) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now().Add(f.skew)
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(protocol.ErrorReply{Error: protocol.Error{Code: code, Message: msg}})
}

func (f *fakeServer) login(w http.ResponseWriter, r *http.Request) {
	var creds protocol.Credentials
	if json.NewDecoder(r.Body).Decode(&creds) != nil || creds.Password != testPassword {
		httpError(w, http.StatusUnauthorized, protocol.CodeUnauthorized, "wrong user name or password")
		return
	}
	f.mu.Lock()
	f.logins++
	token := "token" + strconv.Itoa(f.logins)
	f.tokens[token] = true
	f.mu.Unlock()
	json.NewEncoder(w).Encode(protocol.LoginReply{
		User: creds.User, Token: token, ExpiresMS: f.now().Add(time.Hour).UnixMilli(), ServerTimeMS: f.now().UnixMilli(),
		ICEServers: []protocol.ICEServer{{URLs: []string{"stun:127.0.0.1:3478"}}},
	})
}

func (f *fakeServer) register(w http.ResponseWriter, r *http.Request) {
	var creds protocol.Credentials
	json.NewDecoder(r.Body).Decode(&creds)
	if creds.User == "taken" {
		httpError(w, http.StatusConflict, protocol.CodeConflict, "the name is taken")
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]string{"user": creds.User})
}

func (f *fakeServer) websocket(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.dials++
	refuse := f.refuse || f.closed
	if !refuse {
		f.wg.Add(1)
	}
	f.mu.Unlock()
	if refuse {
		http.Error(w, "down for the test", http.StatusServiceUnavailable)
		return
	}
	defer f.wg.Done()
	ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	c := &fakeConn{ws: ws}
	_, data, err := ws.ReadMessage()
	if err != nil {
		return
	}
	env, err := protocol.DecodeEnvelope(data)
	if err != nil {
		c.fail("", err.(*protocol.Error))
		return
	}
	var h protocol.Hello
	if err := protocol.DecodePayload(env.Payload, &h); err != nil {
		c.fail(env.ID, err.(*protocol.Error))
		return
	}
	f.mu.Lock()
	ok := f.tokens[h.Token]
	if ok {
		f.conns[c] = true
	}
	f.mu.Unlock()
	if !ok {
		c.fail(env.ID, protocol.Errorf(protocol.CodeUnauthorized, "token expired; log in again"))
		return
	}
	c.send(protocol.TypeReply, env.ID, protocol.Welcome{User: "alice", Device: h.Device, ServerTimeMS: f.now().UnixMilli(), Version: protocol.Version})
	f.mu.Lock()
	afterWelcome := f.afterWelcome
	f.mu.Unlock()
	if afterWelcome != nil {
		afterWelcome(c)
	}
	defer func() {
		f.mu.Lock()
		delete(f.conns, c)
		f.mu.Unlock()
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		env, err := protocol.DecodeEnvelope(data)
		if err != nil {
			f.t.Errorf("client sent a bad frame: %v", err)
			return
		}
		if !f.handle(c, env) {
			return
		}
	}
}

// handle answers one request; false drops the connection.
func (f *fakeServer) handle(c *fakeConn, env *protocol.Envelope) bool {
	switch env.Type {
	case "echo":
		c.send(protocol.TypeReply, env.ID, env.Payload)
	case "fail":
		c.fail(env.ID, protocol.Errorf(protocol.CodeForbidden, "not for you"))
	case "slow":
	case protocol.TypeChatSend:
		var req protocol.ChatSend
		if err := protocol.DecodePayload(env.Payload, &req); err != nil {
			c.fail(env.ID, err.(*protocol.Error))
			return true
		}
		m, drop := f.chatSend(c, req)
		if drop {
			return false
		}
		c.send(protocol.TypeReply, env.ID, protocol.ChatSendReply{Message: m})
	case protocol.TypeChatSync:
		var req protocol.ChatSync
		if err := protocol.DecodePayload(env.Payload, &req); err != nil {
			c.fail(env.ID, err.(*protocol.Error))
			return true
		}
		f.mu.Lock()
		hook := f.beforeSync
		f.beforeSync = nil
		f.mu.Unlock()
		if hook != nil {
			hook()
		}
		c.send(protocol.TypeReply, env.ID, f.since(req.After))
	case protocol.TypeConversations:
		c.send(protocol.TypeReply, env.ID, f.conversations())
	default:
		c.fail(env.ID, protocol.Errorf(protocol.CodeUnknownType, "unknown type %q", env.Type))
	}
	return true
}

func (f *fakeServer) chatSend(from *fakeConn, req protocol.ChatSend) (m protocol.Message, drop bool) {
	f.mu.Lock()
	f.attempts[req.ClientID]++
	for _, m := range f.msgs {
		if m.Conversation == req.Conversation && m.ClientID == req.ClientID {
			f.mu.Unlock()
			return m, false
		}
	}
	drop = f.dropSends > 0
	if drop {
		f.dropSends--
	}
	f.mu.Unlock()
	m = f.post(req.Conversation, req.Text, req.ClientID, from)
	return m, drop
}

// post stores a message and delivers it to every connection but from's.
func (f *fakeServer) post(conv, text, clientID string, from *fakeConn) protocol.Message {
	f.mu.Lock()
	m := protocol.Message{Conversation: conv, Seq: 1, ClientID: clientID, From: "bob", Type: protocol.KindText, Text: text, TimeMS: time.Now().UnixMilli()}
	for _, old := range f.msgs {
		if old.Conversation == conv {
			m.Seq = old.Seq + 1
		}
	}
	f.msgs = append(f.msgs, m)
	var to []*fakeConn
	for c := range f.conns {
		if c != from {
			to = append(to, c)
		}
	}
	f.mu.Unlock()
	for _, c := range to {
		c.send(protocol.TypeChatMessage, "", m)
	}
	return m
}

func (f *fakeServer) since(after map[string]int64) protocol.Messages {
	f.mu.Lock()
	defer f.mu.Unlock()
	page := protocol.Messages{Messages: []protocol.Message{}}
	for _, m := range f.msgs {
		if m.Seq <= after[m.Conversation] {
			continue
		}
		if len(page.Messages) == f.syncPage {
			page.More = true
			break
		}
		page.Messages = append(page.Messages, m)
	}
	return page
}

func (f *fakeServer) conversations() protocol.Conversations {
	f.mu.Lock()
	defer f.mu.Unlock()
	last := make(map[string]int64)
	var order []string
	for _, m := range f.msgs {
		if _, ok := last[m.Conversation]; !ok {
			order = append(order, m.Conversation)
		}
		last[m.Conversation] = m.Seq
	}
	r := protocol.Conversations{Conversations: []protocol.Conversation{}}
	for _, id := range order {
		r.Conversations = append(r.Conversations, protocol.Conversation{ID: id, LastSeq: last[id]})
	}
	return r
}

// drop closes every websocket, as a network failure would.
func (f *fakeServer) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.ws.Close()
	}
}

func (f *fakeServer) set(fn func(f *fakeServer)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// dial connects a client for alice with quick test timings.
func (f *fakeServer) dial(t *testing.T, opts Options) *Client {
	t.Helper()
	opts.BaseURL, opts.User, opts.Password = f.url, "alice", testPassword
	setDefault(&opts.RequestTimeout, 2*time.Second)
	setDefault(&opts.BackoffMin, 5*time.Millisecond)
	setDefault(&opts.BackoffMax, 50*time.Millisecond)
	c, err := Dial(t.Context(), opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// waitEvent returns the next event of type typ, skipping others.
func waitEvent(t *testing.T, c *Client, typ string) Event {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %s", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}
