package client

import (
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"parley/protocol"
)

func TestEndpoints(t *testing.T) {
	tests := []struct {
		base, login, ws string
	}{
		{"http://127.0.0.1:7000", "http://127.0.0.1:7000/api/login", "ws://127.0.0.1:7000/ws"},
		{"http://127.0.0.1:7000/", "http://127.0.0.1:7000/api/login", "ws://127.0.0.1:7000/ws"},
		{" https://chat.example.org ", "https://chat.example.org/api/login", "wss://chat.example.org/ws"},
		{"https://example.org/parley//", "https://example.org/parley/api/login", "wss://example.org/parley/ws"},
		{"http://[::1]:7000?x=1#top", "http://[::1]:7000/api/login", "ws://[::1]:7000/ws"},
	}
	for _, tt := range tests {
		u, err := endpoint(tt.base, protocol.PathLogin)
		if err != nil || u.String() != tt.login {
			t.Errorf("endpoint(%q) = %v, %v; want %s", tt.base, u, err, tt.login)
		}
		ws, err := websocketURL(tt.base)
		if err != nil || ws != tt.ws {
			t.Errorf("websocketURL(%q) = %q, %v; want %s", tt.base, ws, err, tt.ws)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:7000", "chat.example.org", "ftp://example.org", "http://"} {
		if _, err := websocketURL(bad); err == nil {
			t.Errorf("websocketURL(%q) succeeded", bad)
		}
	}
}

func TestLoginAndRegister(t *testing.T) {
	f := newFakeServer(t)
	gone := httptest.NewServer(nil)
	gone.Close()

	tests := []struct {
		name    string
		call    func() error
		code    string // the *protocol.Error expected, if any
		message string // or a substring of the error
	}{
		{"login", func() error {
			_, err := login(t.Context(), Options{BaseURL: f.url + "/", User: "alice", Password: testPassword})
			return err
		}, "", ""},
		{"wrong password", func() error {
			_, err := login(t.Context(), Options{BaseURL: f.url, User: "alice", Password: "wrong"})
			return err
		}, protocol.CodeUnauthorized, ""},
		{"bad user name", func() error {
			_, err := login(t.Context(), Options{BaseURL: f.url, User: "Alice!", Password: testPassword})
			return err
		}, protocol.CodeBadRequest, ""},
		{"unreachable", func() error {
			_, err := login(t.Context(), Options{BaseURL: gone.URL, User: "alice", Password: testPassword})
			return err
		}, "", "cannot reach server at " + gone.URL},
		{"not a parley server", func() error {
			_, err := login(t.Context(), Options{BaseURL: f.url + "/nothing", User: "alice", Password: testPassword})
			return err
		}, "", "404"},
		{"register", func() error { return Register(t.Context(), f.url, "carol", testPassword) }, "", ""},
		{"register taken", func() error { return Register(t.Context(), f.url, "taken", testPassword) }, protocol.CodeConflict, ""},
		{"dial wrong password", func() error {
			_, err := Dial(t.Context(), Options{BaseURL: f.url, User: "alice", Password: "wrong"})
			return err
		}, protocol.CodeUnauthorized, ""},
		{"dial unreachable", func() error {
			_, err := Dial(t.Context(), Options{BaseURL: gone.URL, User: "alice", Password: testPassword})
			return err
		}, "", "cannot reach server at"},
		{"dial bad device", func() error {
			_, err := Dial(t.Context(), Options{BaseURL: f.url, User: "alice", Password: testPassword, Device: "no spaces"})
			return err
		}, protocol.CodeBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var pe *protocol.Error
			switch {
			case tt.code != "":
				if !errors.As(err, &pe) || pe.Code != tt.code {
					t.Errorf("got %v; want a %s error", err, tt.code)
				}
			case tt.message != "":
				if err == nil || !strings.Contains(err.Error(), tt.message) {
					t.Errorf("got %v; want an error with %q", err, tt.message)
				}
			case err != nil:
				t.Errorf("got %v", err)
			}
		})
	}
}

// TestPrivateCA: an https:// server with a certificate of a private
// authority is refused, saying why, until the authority is given.
func TestPrivateCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	err := Register(t.Context(), srv.URL, "alice", testPassword)
	if !errors.Is(err, ErrUntrustedCertificate) || !strings.Contains(err.Error(), "not signed by an authority this device trusts") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	if err := (Options{BaseURL: srv.URL, User: "alice", Password: testPassword, RootCAs: roots}).Register(t.Context()); err != nil {
		t.Fatalf("with the authority given: %v", err)
	}
}
