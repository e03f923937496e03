package turn

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func startLoopback(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Config{UDPAddr: "127.0.0.1:0", Realm: "parley.test", Secret: []byte("s3cret")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// allocate asks s for a relay with the given credentials.
func allocate(t *testing.T, s *Server, user, pass string) (net.Addr, error) {
	t.Helper()
	relay, err := listeningClient(t, s, user, pass).Allocate()
	if err != nil {
		return nil, err
	}
	defer relay.Close()
	return relay.LocalAddr(), nil
}

// listeningClient is a TURN client of s on loopback with the given
// credentials, closed when the test ends.
func listeningClient(t *testing.T, s *Server, user, pass string) *turn.Client {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: s.Addr().String(),
		TURNServerAddr: s.Addr().String(),
		Username:       user,
		Password:       pass,
		Realm:          "parley.test",
		Conn:           conn,
		RTO:            100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRelayForValidCredentials(t *testing.T) {
	s := startLoopback(t)
	user, pass := s.Credentials("alice", time.Hour)
	if !strings.HasSuffix(user, ":alice") {
		t.Fatalf("username %q is not expiry:user", user)
	}
	addr, err := allocate(t, s, user, pass)
	if err != nil {
		t.Fatalf("allocate with valid credentials: %v", err)
	}
	if ip := addr.(*net.UDPAddr).IP; !ip.IsLoopback() {
		t.Fatalf("relay address %v is not loopback", addr)
	}
}

func TestNoRelayForBadCredentials(t *testing.T) {
	s := startLoopback(t)
	user, pass := s.Credentials("alice", time.Hour)
	expiredUser, expiredPass := Credentials([]byte("s3cret"), "alice", time.Now().Add(-time.Minute))
	otherUser, otherPass := Credentials([]byte("other secret"), "alice", time.Now().Add(time.Hour))
	for name, c := range map[string][2]string{
		"wrong password": {user, pass + "x"},
		"expired":        {expiredUser, expiredPass},
		"other secret":   {otherUser, otherPass},
		"no expiry":      {"alice", pass},
	} {
		if _, err := allocate(t, s, c[0], c[1]); err == nil {
			t.Errorf("%s: got a relay", name)
		}
	}
}

func TestStunBindingWithoutCredentials(t *testing.T) {
	s := startLoopback(t)
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := turn.NewClient(&turn.ClientConfig{STUNServerAddr: s.Addr().String(), Conn: conn, RTO: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	mapped, err := c.SendBindingRequest()
	if err != nil {
		t.Fatal(err)
	}
	if mapped.String() != conn.LocalAddr().String() {
		t.Fatalf("mapped %v, want %v", mapped, conn.LocalAddr())
	}
}

func TestCredentialsScheme(t *testing.T) {
	// The vector comes from openssl: printf 1700000000:bob | openssl dgst
	// -sha1 -hmac s3cret -binary | base64.
	user, pass := Credentials([]byte("s3cret"), "bob", time.Unix(1700000000, 0))
	if user != "1700000000:bob" || pass != "iqOUFv+P824wi/aW3liW77QZa80=" {
		t.Fatalf("got %q %q", user, pass)
	}
}

func TestURLs(t *testing.T) {
	s := startLoopback(t)
	urls := s.URLs()
	port := s.Addr().Port
	want := []string{"stun:127.0.0.1:" + strconv.Itoa(port), "turn:127.0.0.1:" + strconv.Itoa(port) + "?transport=udp"}
	if len(urls) != 2 || urls[0] != want[0] || urls[1] != want[1] {
		t.Fatalf("URLs %v, want %v", urls, want)
	}
}
