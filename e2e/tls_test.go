package e2e

import (
	"context"
	"crypto/x509"
	"os"
	"strings"
	"testing"
	"time"

	"parley/client"
	"parley/internal/harness"
)

// TestCLICallOverTLS: a server on https:// with a private CA's
// certificate; parley-cli given the CA registers, chats and calls with
// media; given another CA it is refused, saying why.
func TestCLICallOverTLS(t *testing.T) {
	certs := harness.NewCertificates(t, "Parley test CA")
	srv := harness.StartServer(t, "", "--tls-cert", certs.Cert, "--tls-key", certs.Key)
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("server URL %s", srv.URL)
	}
	for _, u := range []string{"alice", "bob"} {
		cli(t, srv, u, "--ca-file", certs.CA, "register")
	}
	roots := x509.NewCertPool()
	pem, err := os.ReadFile(certs.CA)
	if err != nil || !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("the test CA: %v", err)
	}
	bob := startCLI(t, srv, "bob", "--ca-file", certs.CA, "answer", "--wait", "60s", "--test-media", "--video-size", "320x240")
	waitOnline(t, srv, "alice", "bob", func(o *client.Options) { o.RootCAs = roots })
	c := cli(t, srv, "alice", "--ca-file", certs.CA, "call", "bob", "--video", "--hold", "3s", "--test-media", "--video-size", "320x240")
	for who, out := range map[string]string{"caller": c, "callee": bob.wait(t)} {
		if s := summaryOf(t, out); s.str("outcome") != "completed" || s.num("video_frames_decoded") < 10 {
			t.Errorf("%s: %v", who, s)
		}
	}

	other := harness.NewCertificates(t, "Some other CA")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, errOut, code := srv.CLI(ctx, "alice", "--ca-file", other.CA, "send", "bob", "hi")
	if code != 1 || !strings.Contains(errOut, "not signed by an authority this device trusts") {
		t.Fatalf("with the wrong CA: exit %d, %s", code, errOut)
	}
	_, errOut, code = srv.CLI(ctx, "alice", "send", "bob", "hi") // the system's authorities
	if code != 1 || !strings.Contains(errOut, "--ca-file") {
		t.Fatalf("without the CA: exit %d, %s", code, errOut)
	}
}
