package client

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"parley/protocol"
)

// Register creates an account on the server at baseURL, which must have a
// certificate the system trusts if it is https://.
func Register(ctx context.Context, baseURL, user, password string) error {
	return Options{BaseURL: baseURL, User: user, Password: password}.Register(ctx)
}

// Register creates the account of o.User on o.BaseURL.
func (o Options) Register(ctx context.Context) error {
	return post(ctx, o, protocol.PathRegister, nil)
}

// login exchanges a password for a token (and the ICE servers to call with).
func login(ctx context.Context, o Options) (*protocol.LoginReply, error) {
	var r protocol.LoginReply
	if err := post(ctx, o, protocol.PathLogin, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// post sends o's credentials to one of the HTTP endpoints. A refusal from
// the server comes back as its *protocol.Error.
func post(ctx context.Context, o Options, path string, reply any) error {
	baseURL := o.BaseURL
	creds := &protocol.Credentials{User: o.User, Password: o.Password}
	if err := creds.Validate(); err != nil {
		return err
	}
	u, err := endpoint(baseURL, path)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(creds) // two strings cannot fail to encode
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := http.DefaultClient
	if o.RootCAs != nil {
		hc = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: o.tlsConfig()}}
		defer hc.CloseIdleConnections()
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The url.Error repeats the URL, which the message already names.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return unreachable(baseURL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxFrame))
	if err != nil {
		return fmt.Errorf("reading the reply of %s: %w", baseURL, err)
	}
	if resp.StatusCode/100 != 2 {
		var er protocol.ErrorReply
		if json.Unmarshal(data, &er) == nil && er.Error.Code != "" {
			return &er.Error
		}
		return fmt.Errorf("server at %s answered %s to %s", baseURL, resp.Status, path)
	}
	if reply != nil {
		if err := json.Unmarshal(data, reply); err != nil {
			return fmt.Errorf("server at %s sent a malformed reply to %s: %w", baseURL, path, err)
		}
	}
	return nil
}

// ErrUntrustedCertificate is in the error of a server whose certificate
// no authority of Options.RootCAs (or of the system) signed: each program
// says where its person gives a private CA.
var ErrUntrustedCertificate = errors.New("its certificate is not signed by an authority this device trusts")

// unreachable says why the server at baseURL could not be reached; a
// certificate nobody here trusts is said in so many words.
func unreachable(baseURL string, err error) error {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("cannot reach server at %s: %w (a private CA must be given: parley-cli --ca-file): %w", baseURL, ErrUntrustedCertificate, err)
	case errors.As(err, &invalid), errors.As(err, &host):
		return fmt.Errorf("cannot reach server at %s: its certificate is not valid for it: %w", baseURL, err)
	}
	return fmt.Errorf("cannot reach server at %s: %w", baseURL, err)
}

// endpoint is path on the server at baseURL. A base URL may carry a path
// prefix (a server behind a reverse proxy) and a trailing slash.
func endpoint(baseURL, path string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server URL %q must look like http://host:port or https://host", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// websocketURL is the server's websocket endpoint: ws:// next to http://,
// wss:// next to https://.
func websocketURL(baseURL string) (string, error) {
	u, err := endpoint(baseURL, protocol.PathWS)
	if err != nil {
		return "", err
	}
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	return u.String(), nil
}
