package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"parley/protocol"
	"parley/server/auth"
)

// testServer is a real server on loopback with a real SQLite file.
type testServer struct {
	t   *testing.T
	s   *Server
	web *httptest.Server
}

func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	s, err := New(testConfig(t, cfg))
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, s)
}

// testConfig is cfg with a fresh data directory, open registration, quick
// password hashing and, unless cfg has a logger, no logging.
func testConfig(t *testing.T, cfg Config) Config {
	cfg.DataDir = t.TempDir()
	cfg.AllowRegister = true
	cfg.BcryptCost = 4
	cfg.MediaIP = "127.0.0.1"
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// serve serves s on loopback until the test ends, then closes it.
func serve(t *testing.T, s *Server) *testServer {
	ts := &testServer{t: t, s: s, web: httptest.NewServer(s)}
	t.Cleanup(ts.close)
	return ts
}

func (ts *testServer) close() {
	ts.web.Close()
	ts.s.Close()
}

func (ts *testServer) post(path string, body any) (int, []byte) {
	ts.t.Helper()
	b, _ := json.Marshal(body)
	return ts.answer(http.Post(ts.web.URL+path, "application/json", bytes.NewReader(b)))
}

func (ts *testServer) get(path string) (int, []byte) {
	ts.t.Helper()
	return ts.answer(http.Get(ts.web.URL + path))
}

// answer reads a whole response: its status and body.
func (ts *testServer) answer(resp *http.Response, err error) (int, []byte) {
	ts.t.Helper()
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func (ts *testServer) token(user string) string {
	ts.t.Helper()
	cred := protocol.Credentials{User: user, Password: "secret-" + user}
	if code, body := ts.post(protocol.PathRegister, cred); code != http.StatusCreated && code != http.StatusConflict {
		ts.t.Fatalf("register %s: %d %s", user, code, body)
	}
	code, body := ts.post(protocol.PathLogin, cred)
	if code != http.StatusOK {
		ts.t.Fatalf("login %s: %d %s", user, code, body)
	}
	var lr protocol.LoginReply
	if err := json.Unmarshal(body, &lr); err != nil {
		ts.t.Fatal(err)
	}
	return lr.Token
}

// peer is a raw websocket client, so tests can send anything at all.
type peer struct {
	t  *testing.T
	ws *websocket.Conn
	n  int
}

func (ts *testServer) dial() *peer {
	ts.t.Helper()
	return ts.dialOver(websocket.DefaultDialer, ts.web.URL)
}

// dialOver opens a websocket to the server at url with d.
func (ts *testServer) dialOver(d *websocket.Dialer, url string) *peer {
	ts.t.Helper()
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(url, "http")+protocol.PathWS, nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { ws.Close() })
	return &peer{t: ts.t, ws: ws}
}

func (ts *testServer) connect(user, device string) *peer {
	ts.t.Helper()
	return ts.helloOver(websocket.DefaultDialer, ts.web.URL, user, device)
}

// helloOver dials url with d and says hello as user's device.
func (ts *testServer) helloOver(d *websocket.Dialer, url, user, device string) *peer {
	ts.t.Helper()
	p := ts.dialOver(d, url)
	if env := p.request(protocol.TypeHello, protocol.Hello{Version: protocol.Version, Token: ts.token(user), Device: device}); env.Type != protocol.TypeReply {
		ts.t.Fatalf("hello: %+v", env.Error)
	}
	return p
}

func (p *peer) sendRaw(frame string) {
	p.t.Helper()
	if err := p.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		p.t.Fatal(err)
	}
}

// next reads the next frame; nil when the connection closed.
func (p *peer) next() *protocol.Envelope {
	p.t.Helper()
	_ = p.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, data, err := p.ws.ReadMessage()
	if err != nil {
		return nil
	}
	var env protocol.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		p.t.Fatalf("bad frame %s", data)
	}
	return &env
}

// reply reads frames up to the reply or error with id, skipping events.
func (p *peer) reply(id string) *protocol.Envelope {
	p.t.Helper()
	return p.until("reply "+id, func(env *protocol.Envelope) bool {
		return env.ID == id || (env.Type == protocol.TypeError && env.ID == "")
	})
}

// event reads frames up to an event of typ.
func (p *peer) event(typ string) *protocol.Envelope {
	p.t.Helper()
	return p.until(typ, func(env *protocol.Envelope) bool { return env.Type == typ })
}

// until reads frames up to the first that is what, and returns it.
func (p *peer) until(what string, is func(*protocol.Envelope) bool) *protocol.Envelope {
	p.t.Helper()
	for {
		env := p.next()
		if env == nil {
			p.t.Fatalf("connection closed waiting for %s", what)
		}
		if is(env) {
			return env
		}
	}
}

func (p *peer) request(typ string, payload any) *protocol.Envelope {
	p.t.Helper()
	p.n++
	id := fmt.Sprint(p.n)
	frame, _ := protocol.Encode(typ, id, payload)
	p.sendRaw(string(frame))
	return p.reply(id)
}

// ok makes a request that must succeed and decodes its reply into out.
func (p *peer) ok(typ string, payload, out any) {
	p.t.Helper()
	env := p.request(typ, payload)
	if env.Type != protocol.TypeReply {
		p.t.Fatalf("%s failed: %+v", typ, env.Error)
	}
	if out != nil {
		if err := json.Unmarshal(env.Payload, out); err != nil {
			p.t.Fatal(err)
		}
	}
}

func (p *peer) refused(code, typ string, payload any) {
	p.t.Helper()
	env := p.request(typ, payload)
	if env.Type != protocol.TypeError || env.Error.Code != code {
		p.t.Fatalf("%s: got %s %+v, want error %s", typ, env.Type, env.Error, code)
	}
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

func TestChatBetweenTwoUsers(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.connect("alice", "a1")
	bob := ts.connect("bob", "b1")
	conv := protocol.DirectConversation("alice", "bob")
	var sent protocol.ChatSendReply
	alice.ok(protocol.TypeChatSend, protocol.ChatSend{Conversation: conv, ClientID: "m1", Text: "hi bob"}, &sent)
	var got protocol.Message
	json.Unmarshal(bob.event(protocol.TypeChatMessage).Payload, &got)
	if got.Text != "hi bob" || got.Seq != 1 || got.From != "alice" {
		t.Fatalf("bob got %+v", got)
	}
	var again protocol.ChatSendReply
	alice.ok(protocol.TypeChatSend, protocol.ChatSend{Conversation: conv, ClientID: "m1", Text: "hi bob"}, &again)
	if again.Message.Seq != 1 {
		t.Fatalf("resend stored again as seq %d", again.Message.Seq)
	}
	var h protocol.Messages
	bob.ok(protocol.TypeChatHistory, protocol.ChatHistory{Conversation: conv}, &h)
	if len(h.Messages) != 1 {
		t.Fatalf("history %+v", h)
	}
}

// TestBadInput sends what a broken or hostile client might. Each gets an
// error reply; the connection and everyone else keep working.
func TestBadInput(t *testing.T) {
	ts := startServer(t, Config{})
	bob := ts.connect("bob", "b1")
	mallory := ts.connect("mallory", "m1")
	cases := []struct {
		name  string
		frame string
		code  string
	}{
		{"not JSON", `{"type":`, protocol.CodeBadRequest},
		{"array", `[1,2]`, protocol.CodeBadRequest},
		{"no type", `{"id":"1"}`, protocol.CodeBadRequest},
		{"unknown type", `{"type":"launch.missiles","id":"1"}`, protocol.CodeUnknownType},
		{"unknown field", `{"type":"chat.send","id":"1","payload":{"conversation":"direct:bob:mallory","client_id":"x","text":"hi","evil":1}}`, protocol.CodeBadRequest},
		{"payload of the wrong shape", `{"type":"chat.send","id":"1","payload":[1]}`, protocol.CodeBadRequest},
		{"empty text", `{"type":"chat.send","id":"1","payload":{"conversation":"direct:bob:mallory","client_id":"x","text":"  "}}`, protocol.CodeBadRequest},
		{"bad conversation", `{"type":"chat.send","id":"1","payload":{"conversation":"../etc","client_id":"x","text":"hi"}}`, protocol.CodeBadRequest},
		{"bad media", `{"type":"call.invite","id":"1","payload":{"conversation":"direct:bob:mallory","media":"smell"}}`, protocol.CodeBadRequest},
		{"timeout out of range", `{"type":"call.invite","id":"1","payload":{"conversation":"direct:bob:mallory","media":"audio","timeout_ms":1}}`, protocol.CodeBadRequest},
		{"a second hello", `{"type":"hello","id":"1","payload":{}}`, protocol.CodeUnknownType},
		{"history with nobody", `{"type":"chat.history","id":"1","payload":{"conversation":"direct:mallory:nobody"}}`, protocol.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mallory.sendRaw(tc.frame)
			env := mallory.reply("1")
			if env.Type != protocol.TypeError || env.Error.Code != tc.code {
				t.Fatalf("got %s %+v, want %s", env.Type, env.Error, tc.code)
			}
		})
	}
	// Mallory's connection still works, and so does bob's.
	mallory.ok(protocol.TypeConversations, nil, nil)
	bob.ok(protocol.TypeConversations, nil, nil)
}

func TestOversizeFrameClosesOnlyThatConnection(t *testing.T) {
	ts := startServer(t, Config{})
	bob := ts.connect("bob", "b1")
	mallory := ts.connect("mallory", "m1")
	mallory.sendRaw(`{"type":"chat.send","id":"1","payload":{"text":"` + strings.Repeat("A", protocol.MaxFrame) + `"}}`)
	// The websocket layer answers with close code 1009 "message too big".
	_ = mallory.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := mallory.ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("got %v, want close 1009", err)
	}
	bob.ok(protocol.TypeConversations, nil, nil)
}

func TestHelloIsChecked(t *testing.T) {
	ts := startServer(t, Config{})
	good := ts.token("alice")
	key, _ := ts.s.store.Secret(t.Context())
	expired, _ := auth.NewSigner(key, nil).Issue("alice", -time.Minute)
	forged, _ := auth.NewSigner([]byte("not the server's key, not at all"), nil).Issue("alice", time.Hour)
	cases := []struct {
		name  string
		frame string
		code  string
	}{
		{"no hello first", `{"type":"conversation.list","id":"1"}`, protocol.CodeNotReady},
		{"missing token", `{"type":"hello","id":"1","payload":{"version":1,"device":"d"}}`, protocol.CodeUnauthorized},
		{"expired token", `{"type":"hello","id":"1","payload":{"version":1,"device":"d","token":"` + expired + `"}}`, protocol.CodeUnauthorized},
		{"forged token", `{"type":"hello","id":"1","payload":{"version":1,"device":"d","token":"` + forged + `"}}`, protocol.CodeUnauthorized},
		{"garbage token", `{"type":"hello","id":"1","payload":{"version":1,"device":"d","token":"x.y"}}`, protocol.CodeUnauthorized},
		{"old version", `{"type":"hello","id":"1","payload":{"version":0,"device":"d","token":"` + good + `"}}`, protocol.CodeVersion},
		{"bad device", `{"type":"hello","id":"1","payload":{"version":1,"device":"<script>","token":"` + good + `"}}`, protocol.CodeBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ts.dial()
			p.sendRaw(tc.frame)
			env := p.next()
			if env == nil || env.Type != protocol.TypeError || env.Error.Code != tc.code {
				t.Fatalf("got %+v, want error %s", env, tc.code)
			}
			if p.next() != nil {
				t.Fatal("connection stays open after a failed hello")
			}
		})
	}
	ts.connect("alice", "a1")
}

func TestLoginAndRegister(t *testing.T) {
	ts := startServer(t, Config{})
	ts.token("alice")
	cases := []struct {
		name string
		path string
		body any
		code int
	}{
		{"wrong password", protocol.PathLogin, protocol.Credentials{User: "alice", Password: "nope-nope"}, http.StatusUnauthorized},
		{"no such user", protocol.PathLogin, protocol.Credentials{User: "zed", Password: "secret-zed"}, http.StatusUnauthorized},
		{"name taken", protocol.PathRegister, protocol.Credentials{User: "alice", Password: "whatever"}, http.StatusConflict},
		{"bad name", protocol.PathRegister, protocol.Credentials{User: "Alice Smith", Password: "whatever"}, http.StatusBadRequest},
		{"short password", protocol.PathRegister, protocol.Credentials{User: "bob", Password: "x"}, http.StatusBadRequest},
		{"not JSON", protocol.PathLogin, "just a string", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := ts.post(tc.path, tc.body)
			var er protocol.ErrorReply
			if code != tc.code || json.Unmarshal(body, &er) != nil || er.Error.Code == "" {
				t.Fatalf("got %d %s, want %d with an error body", code, body, tc.code)
			}
		})
	}
}

func TestRegistrationCanBeClosed(t *testing.T) {
	ts := startServer(t, Config{})
	ts.s.cfg.AllowRegister = false
	code, body := ts.post(protocol.PathRegister, protocol.Credentials{User: "bob", Password: "secret"})
	if code != http.StatusForbidden || !strings.Contains(string(body), protocol.CodeRegistration) {
		t.Fatalf("got %d %s", code, body)
	}
}

// TestStrangers checks that a user cannot read, write or act on what is not
// theirs.
func TestStrangers(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.connect("alice", "a1")
	bob := ts.connect("bob", "b1")
	mallory := ts.connect("mallory", "m1")
	var g protocol.ConversationReply
	alice.ok(protocol.TypeGroupCreate, protocol.GroupCreate{Name: "team", Members: []string{"bob"}}, &g)
	direct := protocol.DirectConversation("alice", "bob")
	var call protocol.CallReply
	alice.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: direct, Media: protocol.MediaVideo}, &call)
	id := call.Call.ID

	mallory.refused(protocol.CodeForbidden, protocol.TypeChatHistory, protocol.ChatHistory{Conversation: direct})
	mallory.refused(protocol.CodeForbidden, protocol.TypeChatSend, protocol.ChatSend{Conversation: direct, ClientID: "x", Text: "hi"})
	mallory.refused(protocol.CodeForbidden, protocol.TypeChatHistory, protocol.ChatHistory{Conversation: g.Conversation.ID})
	mallory.refused(protocol.CodeForbidden, protocol.TypeChatSend, protocol.ChatSend{Conversation: g.Conversation.ID, ClientID: "x", Text: "hi"})
	mallory.refused(protocol.CodeForbidden, protocol.TypeGroupAdd, protocol.GroupAdd{Conversation: g.Conversation.ID, Members: []string{"mallory"}})
	mallory.refused(protocol.CodeForbidden, protocol.TypeCallInvite, protocol.CallInvite{Conversation: g.Conversation.ID, Media: protocol.MediaAudio})
	mallory.refused(protocol.CodeNotFound, protocol.TypeChatSend, protocol.ChatSend{Conversation: "group:nosuch", ClientID: "x", Text: "hi"})
	for _, typ := range []string{protocol.TypeCallAccept, protocol.TypeCallHangup, protocol.TypeCallCancel, protocol.TypeCallJoin} {
		mallory.refused(protocol.CodeForbidden, typ, protocol.CallRef{CallID: id})
	}
	mallory.refused(protocol.CodeForbidden, protocol.TypeCallDecline, protocol.CallDecline{CallID: id})
	mallory.refused(protocol.CodeForbidden, protocol.TypeCallSignal, protocol.CallSignal{CallID: id, To: "bob", Kind: protocol.SignalOffer, SDP: "v=0"})
	mallory.refused(protocol.CodeNotFound, protocol.TypeCallInvite, protocol.CallInvite{Conversation: protocol.DirectConversation("mallory", "nobody"), Media: protocol.MediaAudio})

	// Bob's invite still rings, and he can answer it.
	bob.event(protocol.TypeCallIncoming)
	bob.ok(protocol.TypeCallAccept, protocol.CallRef{CallID: id}, nil)
	alice.ok(protocol.TypeCallHangup, protocol.CallRef{CallID: id}, nil)
}

func TestRateLimit(t *testing.T) {
	ts := startServer(t, Config{Rate: 1, Burst: 3})
	p := ts.connect("alice", "a1")
	limited := 0
	for i := 0; i < 10; i++ {
		if env := p.request(protocol.TypeConversations, nil); env.Type == protocol.TypeError && env.Error.Code == protocol.CodeRateLimited {
			limited++
		}
	}
	if limited < 6 {
		t.Fatalf("%d of 10 requests limited, want at least 6", limited)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ts := startServer(t, Config{})
	ts.connect("alice", "a1")
	for path, want := range map[string]string{"/healthz": "ok", "/metrics": "parley_connections 1"} {
		status, body := ts.get(path)
		if status != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("%s: %d, no %q in %.300s", path, status, want, body)
		}
	}
}

func TestLoginHandsOutTURNCredentials(t *testing.T) {
	ts := startServer(t, Config{TURNAddr: "127.0.0.1:0"})
	ts.token("alice")
	_, body := ts.post(protocol.PathLogin, protocol.Credentials{User: "alice", Password: "secret-alice"})
	var lr protocol.LoginReply
	if err := json.Unmarshal(body, &lr); err != nil {
		t.Fatal(err)
	}
	if len(lr.ICEServers) != 1 || len(lr.ICEServers[0].URLs) != 2 || !strings.HasSuffix(lr.ICEServers[0].Username, ":alice") || lr.ICEServers[0].Credential == "" {
		t.Fatalf("ice servers %+v", lr.ICEServers)
	}
}

// TestPushWebhookForOfflineInvitee: an invite to a user with no device
// online is posted to the operator's webhook.
func TestPushWebhookForOfflineInvitee(t *testing.T) {
	got := make(chan map[string]any, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n map[string]any
		_ = json.NewDecoder(r.Body).Decode(&n)
		got <- n
	}))
	defer hook.Close()
	ts := startServer(t, Config{PushWebhook: hook.URL})
	ts.token("bob")
	alice := ts.connect("alice", "a1")
	var call protocol.CallReply
	alice.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: protocol.DirectConversation("alice", "bob"), Media: protocol.MediaVideo}, &call)
	select {
	case n := <-got:
		if n["user"] != "bob" || n["caller"] != "alice" || n["call_id"] != call.Call.ID || n["media"] != "video" || n["deadline_ms"].(float64) < float64(time.Now().UnixMilli()) {
			t.Fatalf("notice %v", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no push notice")
	}
}
