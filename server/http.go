package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"parley/protocol"
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
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mountWeb(mux)
	return mux
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
	if err != nil {
		return nil, protocol.Errorf(protocol.CodeTooLarge, "request body over 4 KB")
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
	if err := (&protocol.Credentials{User: name, Password: password}).Validate(); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.store.CreateUser(ctx, name, hash); errors.Is(err, store.ErrExists) {
		return protocol.Errorf(protocol.CodeConflict, "the name %s is taken", name)
	} else if err != nil {
		return err
	}
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c, err := credentials(r)
	if err != nil {
		writeError(w, err)
		return
	}
	u, err := s.store.User(r.Context(), c.User)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		writeError(w, err)
		return
	}
	ok, err := s.hasher.Check(r.Context(), u.PasswordHash, c.Password)
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
		ICEServers: s.iceServers(c.User),
	})
}
