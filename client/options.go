package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"time"
)

// Options configures Dial. BaseURL, User and Password are required; the
// rest has defaults that suit a person's desktop as well as a test.
type Options struct {
	// BaseURL is the server as a person types it: http://127.0.0.1:7000,
	// https://chat.example.org. The websocket URL is derived from it.
	BaseURL  string
	User     string
	Password string
	// Device names this client among the user's devices. It is kept across
	// reconnects so that the server treats a reconnect as the same device
	// (a call survives a short drop). Empty: a random one.
	Device string
	// RootCAs are the authorities an https:// server's certificate may be
	// signed by (a private CA); nil: the system's.
	RootCAs *x509.CertPool
	// Logger receives the client's own logs; nil discards them.
	Logger *slog.Logger
	// Since names, per conversation, the last seq the caller already has;
	// the first connection catches up from there. Conversations it does not
	// name start at their newest message: their past is for chat.history,
	// not news to announce.
	Since map[string]int64

	// RequestTimeout bounds every request, the login and the hello, and
	// every websocket write. Default 10s.
	RequestTimeout time.Duration
	// Reconnect delays grow from BackoffMin to BackoffMax, each a random
	// part of its bound ("full jitter") so that clients dropped together
	// do not return together. Defaults 250ms and 15s.
	BackoffMin time.Duration
	BackoffMax time.Duration
	// KeepAlive is how often the client pings the server. A connection that
	// stays silent three times as long is considered dead. Default 20s.
	KeepAlive time.Duration
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Since = maps.Clone(o.Since)
	setDefault(&o.RequestTimeout, 10*time.Second)
	setDefault(&o.BackoffMin, 250*time.Millisecond)
	setDefault(&o.BackoffMax, 15*time.Second)
	setDefault(&o.KeepAlive, 20*time.Second)
	o.BackoffMax = max(o.BackoffMax, o.BackoffMin)
	return o
}

// tlsConfig is how an https:// server is checked.
func (o Options) tlsConfig() *tls.Config {
	return &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12}
}

// ErrNoCertificate is why LoadRootCAs refuses a file it could read.
var ErrNoCertificate = errors.New("holds no PEM certificate")

// LoadRootCAs reads the PEM file of a private authority (parley-cli's
// --ca-file, the desktop's trusted certificate authority) into the pool
// for Options.RootCAs.
func LoadRootCAs(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s %w", file, ErrNoCertificate)
	}
	return pool, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}
