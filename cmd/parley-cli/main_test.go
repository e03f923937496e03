package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	gone := httptest.NewServer(nil)
	gone.Close()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substrings expected
		stderr string
	}{
		{"help", []string{"-h"}, 0, "Usage: parley-cli", ""},
		{"unknown command", []string{"--server", gone.URL, "--user", "alice", "--password", "pw12", "dance"}, 2, "", `unknown command "dance"`},
		{"missing password", []string{"--server", gone.URL, "--user", "alice", "register"}, 2, "", "PARLEY_PASSWORD"},
		{"unreachable", []string{"--server", gone.URL, "--user", "alice", "--password", "pw12", "send", "bob", "hi"}, 1, "", "cannot reach server at " + gone.URL},
		{"bad server URL", []string{"--server", "localhost:7000", "--user", "alice", "--password", "pw12", "answer"}, 1, "", "http://host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr, func(string) string { return "" })
			if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d with %q and %q", code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
			}
			if tt.code != 0 && strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
				t.Errorf("stderr has more than one line: %q", stderr.String())
			}
		})
	}
}
