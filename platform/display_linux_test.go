//go:build !android

package platform

import "testing"

func TestCheckDisplay(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want error
	}{
		{"none", map[string]string{}, ErrNoDisplay},
		{"empty", map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}, ErrNoDisplay},
		{"X11", map[string]string{"DISPLAY": ":0"}, nil},
		{"Wayland", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckDisplay(func(k string) string { return tt.env[k] }); err != tt.want {
				t.Errorf("CheckDisplay = %v, want %v", err, tt.want)
			}
		})
	}
}
