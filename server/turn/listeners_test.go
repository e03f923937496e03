package turn

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"parley/internal/harness"
)

// testTLS is a server configuration of a certificate for localhost and
// 127.0.0.1, and the pool of its authority for clients.
func testTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	certs := harness.NewCertificates(t, "turn test CA")
	cert, err := tls.LoadX509KeyPair(certs.Cert, certs.Key)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(certs.CA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no CA certificate")
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, pool
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Realm, cfg.Secret = "parley.test", []byte("s3cret")
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// streamRelay is a TURN client holding a relay allocation, which reaches
// the server over conn (TCP or TLS); the relay itself is UDP.
func streamRelay(t *testing.T, s *Server, conn net.Conn, user string) relayClient {
	t.Helper()
	t.Cleanup(func() { conn.Close() })
	name, pass := s.Credentials(user, time.Hour)
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: conn.RemoteAddr().String(),
		TURNServerAddr: conn.RemoteAddr().String(),
		Username:       name,
		Password:       pass,
		Realm:          "parley.test",
		Conn:           turn.NewSTUNConn(conn),
		RTO:            100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err != nil {
		t.Fatalf("%s: allocate: %v", user, err)
	}
	t.Cleanup(func() { relay.Close() })
	if _, ok := relay.LocalAddr().(*net.UDPAddr); !ok {
		t.Fatalf("%s: relay %v is not UDP", user, relay.LocalAddr())
	}
	return relayClient{client: c, relay: relay}
}

func dialTCP(t *testing.T, addr *net.TCPAddr) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp4", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestTURNOverTCPWithoutUDP: a server with TURN over TCP only listens on
// no UDP port, hands out one URL, and relays between a client over TCP
// and one over TLS, behind the same peer filter, refusing TCP relays.
func TestTURNOverTCPWithoutUDP(t *testing.T) {
	srvTLS, pool := testTLS(t)
	s := start(t, Config{TCPAddr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", TLS: srvTLS, TLSName: "localhost"})
	if s.Addr() != nil {
		t.Fatalf("UDP listener at %v", s.Addr())
	}
	tcpPort, tlsPort := strconv.Itoa(s.TCPAddr().Port), strconv.Itoa(s.TLSAddr().Port)
	want := []string{"turn:127.0.0.1:" + tcpPort + "?transport=tcp", "turns:localhost:" + tlsPort + "?transport=tcp"}
	if got := s.URLs(); !slices.Equal(got, want) {
		t.Fatalf("URLs %q, want %q", got, want)
	}

	alice := streamRelay(t, s, dialTCP(t, s.TCPAddr()), "alice")
	tlsConn, err := tls.Dial("tcp4", s.TLSAddr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("TLS to the TURN port: %v", err)
	}
	bob := streamRelay(t, s, tlsConn, "bob")
	alice.permit(t, bob.addr())
	bob.permit(t, alice.addr())
	alice.send(t, bob.addr(), "hello bob")
	receive(t, bob.relay, alice.addr(), "hello bob")
	bob.send(t, alice.addr(), "hello alice")
	receive(t, alice.relay, bob.addr(), "hello alice")

	// The peer filter holds on these listeners as on UDP.
	if err := alice.client.CreatePermission(&net.UDPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 53}); !forbidden(err) {
		t.Fatalf("permission to 10.1.2.3 over TCP: %v, want 403 Forbidden", err)
	}
	service := listenUDP(t, "127.0.0.1:0")
	neverReaches(t, alice, service, bob)
	if conn, err := alice.client.AllocateTCP(); err == nil {
		conn.Close()
		t.Fatal("got a TCP relay over TCP")
	}
}

// TestTURNAllListeners: UDP, TCP and TLS side by side, every URL handed
// out, a UDP client and a TCP client reaching each other.
func TestTURNAllListeners(t *testing.T) {
	srvTLS, _ := testTLS(t)
	s := start(t, Config{UDPAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0", TLSAddr: "127.0.0.1:0", TLS: srvTLS,
		PublicIP: "203.0.113.9"})
	udp, tcp, tlsPort := strconv.Itoa(s.Addr().Port), strconv.Itoa(s.TCPAddr().Port), strconv.Itoa(s.TLSAddr().Port)
	want := []string{"stun:203.0.113.9:" + udp, "turn:203.0.113.9:" + udp + "?transport=udp",
		"turn:203.0.113.9:" + tcp + "?transport=tcp",
		// No TLS name: the public IP.
		"turns:203.0.113.9:" + tlsPort + "?transport=tcp"}
	if got := s.URLs(); !slices.Equal(got, want) {
		t.Fatalf("URLs %q, want %q", got, want)
	}
}

func TestTURNUDPOverTCPRelaysBetweenTransports(t *testing.T) {
	s := start(t, Config{UDPAddr: "127.0.0.1:0", TCPAddr: "127.0.0.1:0"})
	if got := s.URLs(); len(got) != 3 || !strings.HasSuffix(got[2], "?transport=tcp") {
		t.Fatalf("URLs %q", got)
	}
	alice := dialRelay(t, s, "alice") // over UDP
	bob := streamRelay(t, s, dialTCP(t, s.TCPAddr()), "bob")
	alice.permit(t, bob.addr())
	bob.permit(t, alice.addr())
	alice.send(t, bob.addr(), "hello bob")
	receive(t, bob.relay, alice.addr(), "hello bob")
	bob.send(t, alice.addr(), "hello alice")
	receive(t, alice.relay, bob.addr(), "hello alice")
}

func TestTURNConfigErrors(t *testing.T) {
	for name, c := range map[string]struct {
		cfg  Config
		want string
	}{
		"no address":         {Config{}, "no listen address"},
		"TLS without config": {Config{TLSAddr: "127.0.0.1:0"}, "TLS configuration"},
	} {
		c.cfg.Secret = []byte("s")
		if s, err := Start(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			if s != nil {
				s.Close()
			}
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
