package main

import (
	"crypto/tls"

	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/acme"

	"parley/internal/harness"
)

func TestTLSFlags(t *testing.T) {
	certs := harness.NewCertificates(t, "test CA")
	for _, c := range []struct {
		name    string
		flags   tlsFlags
		tls     bool
		wantErr string
	}{
		{"plain", tlsFlags{}, false, ""},
		{"files", tlsFlags{certFile: certs.Cert, keyFile: certs.Key}, true, ""},
		{"acme", tlsFlags{acmeDomain: "chat.example.org"}, true, ""},
		{"cert without key", tlsFlags{certFile: certs.Cert}, false, "go together"},
		{"acme and files", tlsFlags{certFile: certs.Cert, keyFile: certs.Key, acmeDomain: "chat.example.org"}, false, "exclude each other"},
		{"missing file", tlsFlags{certFile: certs.Cert + ".gone", keyFile: certs.Key}, false, "no such file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, _, err := c.flags.config(t.TempDir())
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || (cfg != nil) != c.tls {
				t.Fatalf("config %v, %v", cfg, err)
			}
		})
	}
}

// TestACMEWiring checks what can be checked without Let's Encrypt: the
// challenge rides on TLS itself (ALPN), and only the domain given gets a
// certificate.
func TestACMEWiring(t *testing.T) {
	cfg, reload, err := tlsFlags{acmeDomain: "chat.example.org"}.config(t.TempDir())
	if err != nil || reload != nil {
		t.Fatalf("%v, reload %v", err, reload != nil)
	}
	if !slices.Contains(cfg.NextProtos, acme.ALPNProto) {
		t.Fatalf("no TLS-ALPN-01 in %v", cfg.NextProtos)
	}
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "other.example.org"}); err == nil {
		t.Fatal("a certificate for a domain not given")
	}
}

// TestCertificateReloadsOnHangup runs the real binary over TLS, replaces
// its certificate files and sends SIGHUP: new connections get the new
// certificate.
func TestCertificateReloadsOnHangup(t *testing.T) {
	first, second := harness.NewCertificates(t, "first CA"), harness.NewCertificates(t, "second CA")
	cert, key := t.TempDir()+"/cert.pem", t.TempDir()+"/key.pem"
	install := func(c harness.Certificates) {
		for from, to := range map[string]string{c.Cert: cert, c.Key: key} {
			b, err := os.ReadFile(from)
			if err == nil {
				err = os.WriteFile(to, b, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	install(first)
	srv := harness.StartServer(t, "", "--tls-cert", cert, "--tls-key", key)
	issuer := func() string {
		conn, err := tls.Dial("tcp", srv.Addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].Issuer.CommonName
	}
	if got := issuer(); got != "first CA" {
		t.Fatalf("issuer %q", got)
	}
	install(second)
	if err := syscall.Kill(srv.Pid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for issuer() != "second CA" {
		if time.Now().After(deadline) {
			t.Fatalf("still the first certificate after SIGHUP:\n%s", srv.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
