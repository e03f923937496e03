package protocol

import (
	"strings"
	"testing"
)

// BenchmarkDecode decodes whole frames the way the server does: the
// envelope, then its payload. The offer stands for the largest frames a
// call sends, the candidate and the chat message for the most frequent.
func BenchmarkDecode(b *testing.B) {
	sdp := strings.Repeat(`a=candidate:1 1 udp 2130706431 192.0.2.7 50000 typ host\r\n`, 80)
	frames := []struct {
		name, frame string
		payload     func() Validator
	}{
		{"chat.send", `{"type":"chat.send","id":"42","payload":{"conversation":"direct:alice:bob","client_id":"c-8f3a2b","text":"see you at the station at ten, the one by the river"}}`,
			func() Validator { return &ChatSend{} }},
		{"candidate", `{"type":"call.signal","id":"43","payload":{"call_id":"0f1e2d3c4b5a69788796a5b4","to":"bob","to_device":"laptop-7f3a","kind":"candidate","candidate":{"candidate":"candidate:1 1 udp 2130706431 192.0.2.7 50000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"a1b2"}}}`,
			func() Validator { return &CallSignal{} }},
		{"offer", `{"type":"call.signal","id":"44","payload":{"call_id":"0f1e2d3c4b5a69788796a5b4","to":"bob","kind":"offer","sdp":"v=0\r\n` + sdp + `"}}`,
			func() Validator { return &CallSignal{} }},
	}
	for _, f := range frames {
		b.Run(f.name, func(b *testing.B) {
			data := []byte(f.frame)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				env, err := DecodeEnvelope(data)
				if err != nil {
					b.Fatal(err)
				}
				if err := DecodePayload(env.Payload, f.payload()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
