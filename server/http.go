package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"parley/protocol"
	"parley/server/auth"
	"parley/server/store"
)

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+protocol.PathLogin, s.login)
	mux.HandleFunc("POST "+protocol.PathRegister, s.register)
	mux.HandleFunc("GET "+protocol.PathWS, s.serveWS)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	if !s.cfg.SeparateMetrics {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mountWeb(mux)
	return mux
}

// MetricsHandler serves GET /metrics, the Prometheus figures. With
// Config.SeparateMetrics it is the only way to them, to be served on a
// listener of its own that only the operator can reach.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return mux
}

// HTTPTimeouts bound how long a client may hold an HTTP connection (zero:
// the default, negative: none). None of them applies to a websocket:
// net/http and gorilla clear a connection's deadlines when they hand it
// over on upgrade, and the websocket sets its own (see conn.go).
type HTTPTimeouts struct {
	ReadHeader time.Duration // the request line and headers; default 10s
	Read       time.Duration // the whole request, body included; default 20s
	Write      time.Duration // from the end of the headers to the end of the reply; default 30s
	Idle       time.Duration // a kept-alive connection between requests; default 60s
}

// HTTPServer returns an http.Server serving h (the Server itself, or
// MetricsHandler) with the timeouts of Config.HTTP. parley-server and the
// desktop app's embedded server both serve through it.
func (s *Server) HTTPServer(h http.Handler) *http.Server {
	t := s.cfg.HTTP
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cmp.Or(t.ReadHeader, 10*time.Second),
		ReadTimeout:       cmp.Or(t.Read, 20*time.Second),
		WriteTimeout:      cmp.Or(t.Write, 30*time.Second),
		IdleTimeout:       cmp.Or(t.Idle, 60*time.Second),
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	pe := asProtocolError(err)
	status := http.StatusInternalServerError
	switch pe.Code {
	case protocol.CodeBadRequest, protocol.CodeTooLarge:
		status = http.StatusBadRequest
	case protocol.CodeUnauthorized:
		status = http.StatusUnauthorized
	case protocol.CodeForbidden, protocol.CodeRegistration:
		status = http.StatusForbidden
	case protocol.CodeConflict:
		status = http.StatusConflict
	case protocol.CodeRateLimited:
		status = http.StatusTooManyRequests
	}
	writeJSON(w, status, protocol.ErrorReply{Error: *pe})
}

// credentials reads a small JSON body.
func credentials(r *http.Request) (*protocol.Credentials, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 4<<10))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, protocol.Errorf(protocol.CodeTooLarge, "request body over 4 KB")
	} else if err != nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "the request body could not be read: %v", err)
	}
	var c protocol.Credentials
	if err := protocol.DecodePayload(body, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.AllowRegister {
		writeError(w, protocol.Errorf(protocol.CodeRegistration, "this server does not take new accounts; ask its operator"))
		return
	}
	c, err := credentials(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.AddUser(r.Context(), c.User, c.Password); err != nil {
		writeError(w, err)
		return
	}
	s.log.Info("registered", "user", c.User)
	writeJSON(w, http.StatusCreated, map[string]string{"user": c.User})
}

// AddUser creates an account.
func (s *Server) AddUser(ctx context.Context, name, password string) error {
	return createUser(ctx, s.store, s.hasher, name, password)
}

// AddUser creates an account in the store of cfg, without serving: no
// call is ended, no port taken, so it may run beside the servers that
// use that store.
func AddUser(ctx context.Context, cfg Config, name, password string) error {
	db, err := openStore(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return createUser(ctx, db, auth.NewHasher(cfg.BcryptCost), name, password)
}

func createUser(ctx context.Context, db Store, hasher *auth.Hasher, name, password string) error {
	if err := (&protocol.Credentials{User: name, Password: password}).Validate(); err != nil {
		return err
	}
	hash, err := hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := db.CreateUser(ctx, name, hash); errors.Is(err, store.ErrExists) {
		return protocol.Errorf(protocol.CodeConflict, "the name %s is taken", name)
	} else if err != nil {
		return err
	}
	return nil
}

// Login throttling: wrong passwords are counted per user and per client
// address (see throttle). A user may get 10 wrong in a row, then one a
// minute; an address 30, then one every 10 s. Only keys with recent
// failures take room, at most loginKeys of each.
const (
	loginsPerUser     = 10
	loginUserInterval = time.Minute
	loginsPerAddress  = 30
	loginAddrInterval = 10 * time.Second
	loginKeys         = 10_000
)

// loginThrottles count wrong passwords per user name and per address.
type loginThrottles struct{ byUser, byAddress *throttle }

func newLoginThrottles() loginThrottles {
	return loginThrottles{
		byUser:    newThrottle(loginsPerUser, loginUserInterval, loginKeys),
		byAddress: newThrottle(loginsPerAddress, loginAddrInterval, loginKeys),
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := credentials(r)
	if err != nil {
		writeError(w, err)
		return
	}
	addr := clientAddress(r)
	if wait := s.logins.byAddress.take(addr); wait > 0 {
		s.throttled(w, wait, "from your address")
		return
	}
	u, err := s.store.User(r.Context(), c.User)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		writeError(w, err)
		return
	}
	// Only existing users are counted: guesses at names that do not exist
	// could otherwise push the real ones out of the table.
	if err == nil {
		if wait := s.logins.byUser.take(c.User); wait > 0 {
			s.logins.byAddress.give(addr)
			s.throttled(w, wait, "for "+c.User)
			return
		}
	}
	ok, err := s.hasher.Check(r.Context(), u.PasswordHash, c.Password)
	if ok || err != nil { // only a wrong password counts
		s.logins.byAddress.give(addr)
		s.logins.byUser.give(c.User)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if !ok {
		s.metrics.logins.WithLabelValues("refused").Inc()
		writeError(w, protocol.Errorf(protocol.CodeUnauthorized, "wrong user name or password"))
		return
	}
	s.metrics.logins.WithLabelValues("ok").Inc()
	token, exp := s.signer.Issue(c.User, s.cfg.TokenTTL)
	writeJSON(w, http.StatusOK, protocol.LoginReply{
		User: c.User, Token: token, ExpiresMS: exp.UnixMilli(), ServerTimeMS: time.Now().UnixMilli(),
		ICEServers: s.ice.servers(c.User),
	})
}

// throttled refuses a login with 429 and a Retry-After in whole seconds.
func (s *Server) throttled(w http.ResponseWriter, wait time.Duration, who string) {
	s.metrics.logins.WithLabelValues("throttled").Inc()
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, protocol.Errorf(protocol.CodeRateLimited, "too many wrong passwords %s; try again in %d s", who, secs))
}

// clientAddress is the address a request comes from, as the throttles
// count it: an IPv4 address, or the /64 of an IPv6 one, which one client
// usually holds whole. Behind a reverse proxy it is the proxy's.
func clientAddress(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	a := ap.Addr().Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
