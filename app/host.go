package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"parley/server"
)

// Host is the server the app runs in-process ("Host on this computer").
type Host struct {
	srv *server.Server
	hs  *http.Server
	ln  net.Listener
	// URL is how this app reaches it; LAN is how others on the network
	// do (empty when it listens on loopback only).
	URL string
	LAN string
}

// StartHost opens the server's store in dataDir and listens on addr
// (":7000": every interface; a busy port falls back to any free one).
func StartHost(dataDir, addr string, log *slog.Logger) (*Host, error) {
	// Group calls' media listens where the server does, on free ports.
	host, _, _ := net.SplitHostPort(addr)
	srv, err := server.New(server.Config{DataDir: dataDir, AllowRegister: true, Logger: log, MediaIP: host})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("hosting a server: %w", err)
	}
	h := &Host{srv: srv, ln: ln, hs: srv.HTTPServer(srv)}
	tcp := ln.Addr().(*net.TCPAddr)
	port := strconv.Itoa(tcp.Port)
	h.URL = "http://" + net.JoinHostPort("127.0.0.1", port)
	if tcp.IP.IsUnspecified() {
		if ip := lanAddress(); ip != "" {
			h.LAN = "http://" + net.JoinHostPort(ip, port)
		}
	} else if !tcp.IP.IsLoopback() {
		h.LAN = "http://" + net.JoinHostPort(tcp.IP.String(), port)
		h.URL = h.LAN
	}
	go func() {
		if err := h.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("embedded server stopped", "err", err)
		}
	}()
	return h, nil
}

// Close stops the server.
func (h *Host) Close() {
	h.hs.Close()
	h.srv.Close()
}

// lanAddress is this machine's first private IPv4 address.
func lanAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && n.IP.IsPrivate() {
			return n.IP.String()
		}
	}
	return ""
}
