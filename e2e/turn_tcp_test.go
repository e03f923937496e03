package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pion/turn/v5"

	"parley/client"
	"parley/internal/harness"
)

// TestCLICallThroughTURNOverTCP: with STUN/TURN over UDP off on the
// server, as on a network that blocks UDP to the TURN port, a login hands
// out TURN over TCP alone, and a call between two relay-only CLIs carries
// audio and video both ways through it.
func TestCLICallThroughTURNOverTCP(t *testing.T) {
	srv := harness.StartServer(t, "", "--turn-port", "-1", "--turn-tcp-port", "0")
	for _, u := range []string{"alice", "bob"} {
		cli(t, srv, u, "register")
	}
	ice := dial(t, srv.URL, "alice").ICEServers()
	if len(ice) != 1 || len(ice[0].URLs) != 1 || !strings.HasPrefix(ice[0].URLs[0], "turn:") ||
		!strings.HasSuffix(ice[0].URLs[0], "?transport=tcp") || ice[0].Username == "" || ice[0].Credential == "" {
		t.Fatalf("ICE servers %+v, want TURN over TCP only", ice)
	}
	if urls := ice[0].URLs; slices.ContainsFunc(urls, func(u string) bool { return strings.Contains(u, "udp") }) {
		t.Fatalf("a UDP URL in %q", urls)
	}
	media := []string{"--test-media", "--video-size", "320x240", "--relay-only"}
	c, a := pair(t, srv, "alice", append([]string{"bob", "--video", "--hold", "3s"}, media...), "bob", media)
	for who, out := range map[string]string{"caller": c, "callee": a} {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.num("video_frames_decoded") < 30 || s.num("audio_packets_received") < 50 {
			t.Errorf("%s: %v", who, s)
		}
	}
}

// TestTURNOverTLSWithTheHTTPSCertificate: a server serving HTTPS from
// certificate files also serves TURN over TLS with them, handed out as a
// turns: URL at the certificate's name, and a TURN client that trusts the
// certificate's authority gets a relay there.
func TestTURNOverTLSWithTheHTTPSCertificate(t *testing.T) {
	certs := harness.NewCertificates(t, "Parley test CA")
	srv := harness.StartServer(t, "", "--tls-cert", certs.Cert, "--tls-key", certs.Key,
		"--turn-port", "-1", "--turn-tcp-port", "-1", "--turns-port", "0")
	cli(t, srv, "alice", "--ca-file", certs.CA, "register")
	roots := x509.NewCertPool()
	pem, err := os.ReadFile(certs.CA)
	if err != nil || !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("the test CA: %v", err)
	}
	ice := dial(t, srv.URL, "alice", func(o *client.Options) { o.RootCAs = roots }).ICEServers()
	if len(ice) != 1 || len(ice[0].URLs) != 1 {
		t.Fatalf("ICE servers %+v, want one turns: URL", ice)
	}
	host, port, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(ice[0].URLs[0], "turns:"), "?transport=tcp"), ":")
	if !ok || host != "localhost" || !strings.HasPrefix(ice[0].URLs[0], "turns:") || !strings.HasSuffix(ice[0].URLs[0], "?transport=tcp") {
		t.Fatalf("URL %q, want turns:localhost:PORT?transport=tcp", ice[0].URLs[0])
	}
	conn, err := tls.Dial("tcp4", net.JoinHostPort("127.0.0.1", port), &tls.Config{RootCAs: roots, ServerName: host})
	if err != nil {
		t.Fatalf("TLS to the TURN port: %v", err)
	}
	defer conn.Close()
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: conn.RemoteAddr().String(), TURNServerAddr: conn.RemoteAddr().String(),
		Username: ice[0].Username, Password: ice[0].Credential, Conn: turn.NewSTUNConn(conn),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := c.Allocate()
	if err != nil {
		t.Fatalf("allocate over TLS: %v", err)
	}
	defer relay.Close()
	if _, ok := relay.LocalAddr().(*net.UDPAddr); !ok {
		t.Fatalf("relay %v is not UDP", relay.LocalAddr())
	}
}

// TestCLICallThroughTURNOverTLSWithAPrivateCA: with TURN over TLS alone,
// its certificate signed by a private authority, two relay-only CLIs
// given that authority (--ca-file) call with media through it: the Go
// clients check a turns: server against the authorities they are given,
// not only the system's.
func TestCLICallThroughTURNOverTLSWithAPrivateCA(t *testing.T) {
	certs := harness.NewCertificates(t, "Parley test CA")
	srv := harness.StartServer(t, "", "--tls-cert", certs.Cert, "--tls-key", certs.Key,
		"--turn-port", "-1", "--turn-tcp-port", "-1", "--turns-port", "0")
	for _, u := range []string{"alice", "bob"} {
		cli(t, srv, u, "--ca-file", certs.CA, "register")
	}
	media := []string{"--test-media", "--video-size", "320x240", "--relay-only"}
	bob := startCLI(t, srv, "bob", append([]string{"--ca-file", certs.CA, "answer", "--wait", "60s"}, media...)...)
	roots := x509.NewCertPool()
	if pem, err := os.ReadFile(certs.CA); err != nil || !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("the test CA: %v", err)
	}
	waitOnline(t, srv, "alice", "bob", func(o *client.Options) { o.RootCAs = roots })
	c := cli(t, srv, "alice", append([]string{"--ca-file", certs.CA, "call", "bob", "--video", "--hold", "3s"}, media...)...)
	for who, out := range map[string]string{"caller": c, "callee": bob.wait(t)} {
		s := summaryOf(t, out)
		if s.str("outcome") != "completed" || s.num("video_frames_decoded") < 30 || s.num("audio_packets_received") < 50 {
			t.Errorf("%s: %v", who, s)
		}
	}
}
