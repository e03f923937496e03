package protocol

import (
	"encoding/json"
	"testing"
)

// TestStrictDecoding covers what encoding/json lets through on its own:
// keys that match a field only when case is ignored, a key given twice,
// and strings that are not UTF-8, which it would turn into U+FFFD so that
// different bytes decode to the same string.
func TestStrictDecoding(t *testing.T) {
	envelopes := []struct {
		name, frame, code string
	}{
		{"exact names", `{"type":"x","id":"1","payload":{"a":[{"b":null}]}}`, ""},
		{"escaped name", `{"t\u0079pe":"x"}`, ""},
		{"surrogate pair", `{"type":"x","id":"\ud83d\ude00"}`, ""},
		{"UTF-8 id", "{\"type\":\"x\",\"id\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", ""},
		{"name in upper case", `{"Type":"x"}`, CodeBadRequest},
		{"name in mixed case", `{"type":"x","ID":"1"}`, CodeBadRequest},
		{"name given twice", `{"type":"x","type":"y"}`, CodeBadRequest},
		{"name twice once escaped", `{"type":"x","t\u0079pe":"y"}`, CodeBadRequest},
		{"error code twice", `{"type":"error","error":{"code":"a","code":"b","message":""}}`, CodeBadRequest},
		{"error field in upper case", `{"type":"error","error":{"Code":"a","message":""}}`, CodeBadRequest},
		{"key twice deep in the payload", `{"type":"x","payload":{"a":[{"b":1,"b":2}]}}`, CodeBadRequest},
		{"invalid UTF-8", "{\"type\":\"x\",\"id\":\"\xff\"}", CodeBadRequest},
		{"invalid UTF-8 in a key", "{\"type\":\"x\",\"payload\":{\"\xfe\":1}}", CodeBadRequest},
		{"invalid UTF-8 deep in the payload", "{\"type\":\"x\",\"payload\":[\"ok\",\"\xc0\xaf\"]}", CodeBadRequest},
		{"UTF-8 of a surrogate", "{\"type\":\"x\",\"id\":\"\xed\xa0\x80\"}", CodeBadRequest},
		{"lone high surrogate", `{"type":"x","id":"\ud800"}`, CodeBadRequest},
		{"lone low surrogate", `{"type":"x","id":"\uDC00"}`, CodeBadRequest},
		{"high surrogate then a letter", `{"type":"x","id":"\ud800\u0041"}`, CodeBadRequest},
		{"two high surrogates", `{"type":"x","id":"\ud800\ud800"}`, CodeBadRequest},
		{"high surrogate then an escape", `{"type":"x","id":"\ud800\n"}`, CodeBadRequest},
		{"trailing brace", `{"type":"x"}}`, CodeBadRequest},
		{"trailing bracket", `{"type":"x"}]`, CodeBadRequest},
	}
	for _, tc := range envelopes {
		t.Run("envelope/"+tc.name, func(t *testing.T) {
			_, err := DecodeEnvelope([]byte(tc.frame))
			checkCode(t, err, tc.code)
		})
	}
	candidate := `"candidate":{"candidate":"candidate:1 1 udp 1 192.0.2.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}`
	payloads := []struct {
		name string
		v    Validator
		raw  string
		code string
	}{
		{"password with escapes", &Credentials{}, `{"user":"alice","password":"caf\u00e9 \ud83d\ude00"}`, ""},
		{"password of invalid UTF-8", &Credentials{}, "{\"user\":\"alice\",\"password\":\"pw-\xff\xfe\"}", CodeBadRequest},
		{"password of other invalid UTF-8", &Credentials{}, "{\"user\":\"alice\",\"password\":\"pw-\xfe\xff\"}", CodeBadRequest},
		{"password with a lone surrogate", &Credentials{}, `{"user":"alice","password":"pw-\udfff"}`, CodeBadRequest},
		{"password with a high surrogate at the end", &Credentials{}, `{"user":"alice","password":"pw-\ud800"}`, CodeBadRequest},
		{"password given twice", &Credentials{}, `{"user":"alice","password":"secret","password":"other"}`, CodeBadRequest},
		{"user in upper case", &Credentials{}, `{"USER":"alice","password":"secret"}`, CodeBadRequest},
		{"camelCase inside a candidate", &CallSignal{}, `{"call_id":"c1","to":"bob","kind":"candidate",` + candidate + `}`, ""},
		{"key twice inside a candidate", &CallSignal{}, `{"call_id":"c1","to":"bob","kind":"candidate","candidate":{"candidate":"a","candidate":"b"}}`, CodeBadRequest},
		{"sdp with a lone surrogate", &CallSignal{}, `{"call_id":"c1","to":"bob","kind":"offer","sdp":"v=0\udc00"}`, CodeBadRequest},
		{"conversation twice in sync", &ChatSync{}, `{"after":{"group:abc":1,"group:abc":2}}`, CodeBadRequest},
		{"member names in a list may repeat the key", &GroupCreate{}, `{"name":"team","members":["bob","carol"]}`, ""},
		{"text in upper case", &ChatSend{}, `{"conversation":"group:abc","client_id":"c1","Text":"hi"}`, CodeBadRequest},
		{"text with a NUL", &ChatSend{}, `{"conversation":"group:abc","client_id":"c1","text":"a\u0000b"}`, CodeBadRequest},
		{"group name with a NUL", &GroupCreate{}, `{"name":"te\u0000am","members":["bob"]}`, CodeBadRequest},
	}
	for _, tc := range payloads {
		t.Run("payload/"+tc.name, func(t *testing.T) {
			checkCode(t, DecodePayload(json.RawMessage(tc.raw), tc.v), tc.code)
		})
	}
}

// TestStrictManyKeys checks objects past the size where duplicates are
// looked up in a map rather than a list.
func TestStrictManyKeys(t *testing.T) {
	after := func(dup bool) string {
		s := `{"after":{`
		for i := range 100 {
			s += `"group:g` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `":1,`
		}
		if dup {
			s += `"group:gaa":2,`
		}
		return s + `"group:last":1}}`
	}
	checkCode(t, DecodePayload(json.RawMessage(after(false)), &ChatSync{}), "")
	checkCode(t, DecodePayload(json.RawMessage(after(true)), &ChatSync{}), CodeBadRequest)
}
