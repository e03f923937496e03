package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"parley/internal/harness"
)

// TestMain removes the binaries the tests built once they have run.
func TestMain(m *testing.M) { os.Exit(harness.Run(m)) }

// TestMetricsAddr runs the real binary: with --metrics-addr, /metrics is
// served there and nowhere else.
func TestMetricsAddr(t *testing.T) {
	get := func(t *testing.T, url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	t.Run("on the main listener by default", func(t *testing.T) {
		srv := harness.StartServer(t, "")
		if code, body := get(t, srv.URL+"/metrics"); code != http.StatusOK || !strings.Contains(body, "parley_connections ") {
			t.Fatalf("main /metrics: %d %.200s", code, body)
		}
	})
	t.Run("only on --metrics-addr", func(t *testing.T) {
		metrics := harness.FreeAddr(t)
		srv := harness.StartServer(t, "", "--metrics-addr", metrics)
		for _, tc := range []struct {
			url      string
			code     int
			contains string
		}{
			{srv.URL + "/metrics", http.StatusNotFound, ""},
			{srv.URL + "/healthz", http.StatusOK, "ok"},
			{"http://" + metrics + "/metrics", http.StatusOK, "parley_connections "},
			{"http://" + metrics + "/healthz", http.StatusNotFound, ""},
		} {
			if code, body := get(t, tc.url); code != tc.code || !strings.Contains(body, tc.contains) {
				t.Errorf("%s: %d %.200s; want %d with %q", tc.url, code, body, tc.code, tc.contains)
			}
		}
	})
}
