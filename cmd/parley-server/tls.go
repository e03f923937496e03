package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/crypto/acme/autocert"
)

// tlsFlags are how the server gets its certificate: from files, or from
// Let's Encrypt for one domain.
type tlsFlags struct {
	certFile, keyFile string
	acmeDomain        string
}

// config is the TLS configuration the flags ask for, nil for plain HTTP;
// reload is non-nil when the certificate comes from files that SIGHUP
// reads again.
func (f tlsFlags) config(dataDir string) (cfg *tls.Config, reload func() error, err error) {
	switch {
	case f.acmeDomain != "" && (f.certFile != "" || f.keyFile != ""):
		return nil, nil, errors.New("--acme-domain and --tls-cert/--tls-key exclude each other")
	case f.acmeDomain != "":
		// TLS-ALPN-01 challenges come on the TLS port itself: no port 80.
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(f.acmeDomain),
			Cache:      autocert.DirCache(filepath.Join(dataDir, "acme")),
		}
		cfg = m.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		return cfg, nil, nil
	case f.certFile == "" && f.keyFile == "":
		return nil, nil, nil
	case f.certFile == "" || f.keyFile == "":
		return nil, nil, errors.New("--tls-cert and --tls-key go together")
	}
	c := &certificate{certFile: f.certFile, keyFile: f.keyFile}
	if err := c.reload(); err != nil {
		return nil, nil, err
	}
	return &tls.Config{GetCertificate: c.get, MinVersion: tls.VersionTLS12}, c.reload, nil
}

// serverName is the name clients should reach the server at over TLS, to
// put in turns: URLs: the ACME domain, or the first DNS name of the
// certificate file; empty when there is neither.
func (f tlsFlags) serverName() string {
	if f.acmeDomain != "" {
		return f.acmeDomain
	}
	if f.certFile == "" || f.keyFile == "" {
		return ""
	}
	cert, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
	if err != nil || cert.Leaf == nil || len(cert.Leaf.DNSNames) == 0 {
		return ""
	}
	return cert.Leaf.DNSNames[0]
}

// certificate is the certificate of --tls-cert and --tls-key, read again
// on SIGHUP so that a renewed one takes effect without a restart.
type certificate struct {
	certFile, keyFile string
	current           atomic.Pointer[tls.Certificate]
}

func (c *certificate) reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	c.current.Store(&cert)
	return nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.current.Load(), nil
}

// warnIfPlainOnNetwork says that plain HTTP on an address others reach
// sends passwords, tokens and messages in clear.
func warnIfPlainOnNetwork(addr net.Addr, log *slog.Logger) {
	tcp, ok := addr.(*net.TCPAddr)
	if ok && tcp.IP.IsLoopback() {
		return
	}
	log.Warn("serving plain HTTP on an address other hosts reach: passwords, tokens and messages cross the network in clear, and browsers give the camera only to secure pages; use --tls-cert and --tls-key, or --acme-domain", "addr", addr.String())
}
