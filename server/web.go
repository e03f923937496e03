package server

import (
	"net/http"
	"regexp"
	"strings"

	"parley/web"
)

// mountWeb serves the browser client: the page at / and its files under
// /app/. They are mounted on exact paths rather than a catch-all "GET /",
// so that another method on an API path still gets 405 and an unknown
// path 404.
func mountWeb(mux *http.ServeMux) {
	files := withPageHeaders(noListings(http.FileServerFS(web.Files)))
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /app/", files)
}

// noListings refuses directories other than the root (whose index.html
// is the page): a listing of the client's files serves nobody.
func noListings(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// safeHost is what a Host header may hold to be written into the
// Content-Security-Policy; anything else falls back to 'self' alone.
var safeHost = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// withPageHeaders adds the headers that keep the page strict: scripts only
// from this server and never inline, connections only to this server (its
// websocket included), no framing, no sniffing, no referrer. The client
// is small and changes with the server, so browsers revalidate it.
func withPageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		connect := "'self'"
		if safeHost.MatchString(r.Host) {
			connect += " ws://" + r.Host + " wss://" + r.Host
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; manifest-src 'self'; "+
			"media-src 'self' blob: mediastream:; connect-src "+connect+"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(self), microphone=(self)")
		h.Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}
