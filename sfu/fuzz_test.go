package sfu

import (
	"testing"

	"github.com/pion/rtp"
)

// FuzzAudioLevel feeds RTP headers from outside to the audio level reader
// and the extension filter: neither may panic, the level stays in range,
// and the filter keeps the level.
func FuzzAudioLevel(f *testing.F) {
	withLevel := rtp.Header{Version: 2, SequenceNumber: 7}
	_ = withLevel.SetExtension(1, []byte{0x80 | 30})
	_ = withLevel.SetExtension(3, []byte{1, 2})
	seed, _ := withLevel.Marshal()
	f.Add(seed, uint8(1))
	f.Add(seed, uint8(3))
	f.Add([]byte{0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, id uint8) {
		var h rtp.Header
		if _, err := h.Unmarshal(data); err != nil {
			return
		}
		level, ok := audioLevel(&h, id)
		if ok && level > 127 {
			t.Fatalf("level %d out of range", level)
		}
		keepOnlyExtension(&h, id)
		if len(h.Extensions) > 1 {
			t.Fatalf("%d extensions kept", len(h.Extensions))
		}
		if after, okAfter := audioLevel(&h, id); okAfter != ok || after != level {
			t.Fatalf("level %d,%v became %d,%v", level, ok, after, okAfter)
		}
		if _, err := h.Marshal(); err != nil && ok {
			t.Fatalf("marshal after filtering: %v", err)
		}
	})
}
