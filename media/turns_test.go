package media

import (
	"maps"
	"testing"
)

func TestTURNDialerTakesTheTURNSServers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		servers []ICEServer
		want    map[string]string // nil: no dialer
	}{
		{"none", nil, nil},
		{"UDP and TCP only", []ICEServer{{URLs: []string{"stun:a.example:3478", "turn:a.example:3478", "turn:a.example:3478?transport=tcp"}}}, nil},
		{"TLS", []ICEServer{{URLs: []string{"turn:a.example:3478", "turns:a.example:5349?transport=tcp"}}},
			map[string]string{"a.example:5349": "a.example"}},
		{"a malformed URL is skipped", []ICEServer{{URLs: []string{"turns:"}}, {URLs: []string{"turns:b.example:443?transport=tcp"}}},
			map[string]string{"b.example:443": "b.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newTURNDialer(tc.servers, nil)
			switch {
			case tc.want == nil && d != nil:
				t.Errorf("a dialer for %v", d.names)
			case tc.want != nil && (d == nil || !maps.Equal(d.names, tc.want)):
				t.Errorf("got %v, want %v", d, tc.want)
			}
		})
	}
}
