package server

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"parley/protocol"
)

// postRaw sends body as it is and returns the status, the error code of
// the reply (if any) and its Retry-After.
func (ts *testServer) postRaw(path, body string) (status int, code, retryAfter string) {
	ts.t.Helper()
	resp, err := http.Post(ts.web.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	var er protocol.ErrorReply
	_ = json.NewDecoder(resp.Body).Decode(&er)
	return resp.StatusCode, er.Error.Code, resp.Header.Get("Retry-After")
}

// TestCredentialsMustBeUTF8: invalid UTF-8 and unpaired surrogate escapes
// used to become U+FFFD, so that different passwords were the same one.
func TestCredentialsMustBeUTF8(t *testing.T) {
	ts := startServer(t, Config{})
	cases := []struct {
		name, path, body string
		status           int
	}{
		{"register, invalid bytes", protocol.PathRegister, "{\"user\":\"mallory\",\"password\":\"pw-\xff\xfe\"}", 400},
		{"register, a lone surrogate", protocol.PathRegister, `{"user":"mallory","password":"pw-\ud800\ud800"}`, 400},
		{"register, escapes of real characters", protocol.PathRegister, `{"user":"trent","password":"caf\u00e9 \ud83d\ude00"}`, 201},
		{"login, the same password unescaped", protocol.PathLogin, "{\"user\":\"trent\",\"password\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", 200},
		{"login, other invalid bytes", protocol.PathLogin, "{\"user\":\"mallory\",\"password\":\"pw-\xfe\xff\"}", 400},
		{"login, a lone low surrogate", protocol.PathLogin, `{"user":"trent","password":"caf\udce9 \ud83d\ude00"}`, 400},
		{"login, a password given twice", protocol.PathLogin, `{"user":"trent","password":"wrong","password":"caf\u00e9 \ud83d\ude00"}`, 400},
		{"login, a name in upper case", protocol.PathLogin, `{"User":"trent","password":"caf\u00e9 \ud83d\ude00"}`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, code, _ := ts.postRaw(tc.path, tc.body)
			if status != tc.status || (status == 400 && code != protocol.CodeBadRequest) {
				t.Fatalf("got %d %s, want %d", status, code, tc.status)
			}
		})
	}
}

func TestLoginThrottle(t *testing.T) {
	type attempt struct {
		after            time.Duration // the throttles' clock moves on this much first
		user, password   string
		status           int
		retryAfter, text string // of a 429
	}
	wrong := func(user string, n int) []attempt {
		a := make([]attempt, n)
		for i := range a {
			a[i] = attempt{user: user, password: "wrong-password", status: http.StatusUnauthorized}
		}
		return a
	}
	cases := []struct {
		name     string
		attempts []attempt
	}{
		{"per user", append(wrong("alice", loginsPerUser),
			attempt{0, "alice", "wrong-password", 429, "60", "for alice"},
			attempt{0, "alice", "secret-alice", 429, "60", "for alice"},
			attempt{0, "bob", "secret-bob", 200, "", ""},
			attempt{30 * time.Second, "alice", "secret-alice", 429, "30", "for alice"},
			attempt{30 * time.Second, "alice", "secret-alice", 200, "", ""},
			// A success gives its attempt back.
			attempt{0, "alice", "secret-alice", 200, "", ""},
			attempt{0, "alice", "wrong-password", 401, "", ""},
			attempt{0, "alice", "wrong-password", 429, "60", "for alice"},
		)},
		{"per address", append(wrong("nobody", loginsPerAddress),
			attempt{0, "alice", "secret-alice", 429, "10", "from your address"},
			attempt{10 * time.Second, "alice", "secret-alice", 200, "", ""},
			attempt{0, "bob", "wrong-password", 401, "", ""},
			attempt{0, "bob", "secret-bob", 429, "10", "from your address"},
		)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, Config{})
			ts.token("alice")
			ts.token("bob")
			clock := &stoppedClock{now: time.Now()}
			ts.s.logins.byUser.now, ts.s.logins.byAddress.now = clock.read, clock.read
			for i, a := range tc.attempts {
				clock.advance(a.after)
				resp, err := http.Post(ts.web.URL+protocol.PathLogin, "application/json",
					strings.NewReader(`{"user":"`+a.user+`","password":"`+a.password+`"}`))
				if err != nil {
					t.Fatal(err)
				}
				var er protocol.ErrorReply
				_ = json.NewDecoder(resp.Body).Decode(&er)
				resp.Body.Close()
				if resp.StatusCode != a.status || resp.Header.Get("Retry-After") != a.retryAfter {
					t.Fatalf("attempt %d (%s): got %d, Retry-After %q, %+v; want %d, %q", i, a.user,
						resp.StatusCode, resp.Header.Get("Retry-After"), er.Error, a.status, a.retryAfter)
				}
				if a.status == http.StatusTooManyRequests &&
					(er.Error.Code != protocol.CodeRateLimited || !strings.Contains(er.Error.Message, a.text+"; try again in "+a.retryAfter+" s")) {
					t.Fatalf("attempt %d: error %+v", i, er.Error)
				}
			}
		})
	}
}

func TestClientAddress(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"192.0.2.7:50000", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:50000", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:50000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff::1]:443", "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"@", "@"}, // not an address: counted as it is
	} {
		if got := clientAddress(&http.Request{RemoteAddr: tc.remote}); got != tc.want {
			t.Errorf("clientAddress(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

// serveHTTP serves ts's server through HTTPServer on a loopback port of
// its own; it returns the address.
func (ts *testServer) serveHTTP() string {
	ts.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.t.Fatal(err)
	}
	hs := ts.s.HTTPServer(ts.s)
	go hs.Serve(ln)
	ts.t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// TestHTTPTimeouts runs with timeouts of 300 ms; each case waits up to 5 s
// for the server to hang up.
func TestHTTPTimeouts(t *testing.T) {
	const short = 300 * time.Millisecond
	ts := startServer(t, Config{HTTP: HTTPTimeouts{ReadHeader: short, Read: short, Write: short, Idle: short}})
	addr := ts.serveHTTP()
	hungUp := func(t *testing.T, c net.Conn, r io.Reader) {
		t.Helper()
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, r); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatal("the server kept the connection open")
		}
	}
	dial := func(t *testing.T) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("a body that never ends", func(t *testing.T) {
		c := dial(t)
		_, _ = io.WriteString(c, "POST "+protocol.PathLogin+" HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user\":")
		hungUp(t, c, c)
	})
	t.Run("an idle keep-alive", func(t *testing.T) {
		c := dial(t)
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("got %s, close %v", resp.Status, resp.Close)
		}
		hungUp(t, c, br)
	})
	t.Run("a websocket outlives them", func(t *testing.T) {
		p := ts.helloOver(&websocket.Dialer{}, "http://"+addr, "alice", "a1")
		time.Sleep(4 * short)
		p.ok(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{}}, nil)
		time.Sleep(4 * short)
		p.ok(protocol.TypePresenceQuery, protocol.PresenceQuery{Users: []string{}}, nil)
	})
}
