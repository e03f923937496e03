package app

import "testing"

func TestListenAddrIsLoopbackUnlessShared(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		share bool
		want  string
	}{
		{":7000", false, "127.0.0.1:7000"},
		{":7000", true, ":7000"},
		{"0.0.0.0:7000", false, "0.0.0.0:7000"}, // asked for by name
		{"192.168.1.5:7001", false, "192.168.1.5:7001"},
		{"127.0.0.1:0", true, "127.0.0.1:0"},
	} {
		if got := listenAddr(tc.addr, tc.share); got != tc.want {
			t.Errorf("listenAddr(%q, %v) = %q, want %q", tc.addr, tc.share, got, tc.want)
		}
	}
}
