package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeEnvelope(t *testing.T) {
	cases := []struct {
		name, frame, code string
	}{
		{"request", `{"type":"chat.send","id":"7","payload":{}}`, ""},
		{"event", `{"type":"presence","payload":{"user":"a","online":true}}`, ""},
		{"not JSON", `{`, CodeBadRequest},
		{"no type", `{"id":"1"}`, CodeBadRequest},
		{"unknown field", `{"type":"x","idd":"1"}`, CodeBadRequest},
		{"trailing data", `{"type":"x"} {}`, CodeBadRequest},
		{"long id", `{"type":"x","id":"` + strings.Repeat("1", 65) + `"}`, CodeBadRequest},
		{"too large", `{"type":"x","payload":"` + strings.Repeat("a", MaxFrame) + `"}`, CodeTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeEnvelope([]byte(tc.frame))
			checkCode(t, err, tc.code)
		})
	}
}

func checkCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}

func TestPayloadValidation(t *testing.T) {
	direct := DirectConversation("bob", "alice")
	cases := []struct {
		name string
		v    Validator
		raw  string
		code string
	}{
		{"hello", &Hello{}, `{"version":1,"token":"t","device":"d1"}`, ""},
		{"hello old version", &Hello{}, `{"version":2,"token":"t","device":"d1"}`, CodeVersion},
		{"hello no token", &Hello{}, `{"version":1,"device":"d1"}`, CodeUnauthorized},
		{"send", &ChatSend{}, `{"conversation":"` + direct + `","client_id":"c1","text":"hi"}`, ""},
		{"send to self", &ChatSend{}, `{"conversation":"direct:bob:bob","client_id":"c1","text":"hi"}`, CodeBadRequest},
		{"send unsorted", &ChatSend{}, `{"conversation":"direct:bob:alice","client_id":"c1","text":"hi"}`, CodeBadRequest},
		{"send too long", &ChatSend{}, `{"conversation":"` + direct + `","client_id":"c1","text":"` + strings.Repeat("a", MaxTextBytes+1) + `"}`, CodeBadRequest},
		{"history", &ChatHistory{}, `{"conversation":"group:abc","limit":10}`, ""},
		{"history big limit", &ChatHistory{}, `{"conversation":"group:abc","limit":10000}`, CodeBadRequest},
		{"sync", &ChatSync{}, `{"after":{"group:abc":3}}`, ""},
		{"sync negative", &ChatSync{}, `{"after":{"group:abc":-3}}`, CodeBadRequest},
		{"group", &GroupCreate{}, `{"name":"team","members":["bob","carol"]}`, ""},
		{"group twice", &GroupCreate{}, `{"name":"team","members":["bob","bob"]}`, CodeBadRequest},
		{"group no name", &GroupCreate{}, `{"name":" ","members":["bob"]}`, CodeBadRequest},
		{"invite", &CallInvite{}, `{"conversation":"` + direct + `","media":"video"}`, ""},
		{"invite ten", &CallInvite{}, `{"conversation":"group:g","media":"audio","invitees":["a","b","c","d","e","f","g","h","i"]}`, CodeBadRequest},
		{"decline reason", &CallDecline{}, `{"call_id":"c1","reason":"permission_denied"}`, ""},
		{"decline odd reason", &CallDecline{}, `{"call_id":"c1","reason":"bored"}`, CodeBadRequest},
		{"offer", &CallSignal{}, `{"call_id":"c1","to":"bob","kind":"offer","sdp":"v=0"}`, ""},
		{"candidate", &CallSignal{}, `{"call_id":"c1","to":"bob","kind":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host"}}`, ""},
		{"candidate not an object", &CallSignal{}, `{"call_id":"c1","to":"bob","kind":"candidate","candidate":"x"}`, CodeBadRequest},
		{"spoofed from", &CallSignal{}, `{"call_id":"c1","to":"bob","from":"carol","kind":"offer","sdp":"v=0"}`, CodeBadRequest},
		{"media answer", &MediaSignal{}, `{"call_id":"c1","kind":"answer","sdp":"v=0"}`, ""},
		{"media candidate", &MediaSignal{}, `{"call_id":"c1","kind":"candidate","candidate":{"candidate":""}}`, ""},
		{"media offer from a device", &MediaSignal{}, `{"call_id":"c1","kind":"offer","sdp":"v=0"}`, CodeBadRequest},
		{"media answer with a candidate", &MediaSignal{}, `{"call_id":"c1","kind":"answer","sdp":"v=0","candidate":{}}`, CodeBadRequest},
		{"media candidate not an object", &MediaSignal{}, `{"call_id":"c1","kind":"candidate","candidate":[1]}`, CodeBadRequest},
		{"credentials", &Credentials{}, `{"user":"alice","password":"secret"}`, ""},
		{"credentials upper case", &Credentials{}, `{"user":"Alice","password":"secret"}`, CodeBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkCode(t, DecodePayload(json.RawMessage(tc.raw), tc.v), tc.code)
		})
	}
}

func TestConversationIDs(t *testing.T) {
	if a, b := DirectConversation("bob", "alice"), DirectConversation("alice", "bob"); a != b || a != "direct:alice:bob" {
		t.Fatalf("got %s and %s", a, b)
	}
	users, group, err := ParseConversation("direct:alice:bob")
	if err != nil || users != [2]string{"alice", "bob"} || group != "" {
		t.Fatalf("got %v %q %v", users, group, err)
	}
	if _, group, err := ParseConversation(GroupConversation("x1")); err != nil || group != "x1" {
		t.Fatalf("got %q %v", group, err)
	}
}

// requests lists the payload decoder of every websocket request.
var requests = map[string]func() Validator{
	TypeHello:           func() Validator { return &Hello{} },
	TypeChatSend:        func() Validator { return &ChatSend{} },
	TypeChatHistory:     func() Validator { return &ChatHistory{} },
	TypeChatSync:        func() Validator { return &ChatSync{} },
	TypeConversations:   func() Validator { return &Empty{} },
	TypeGroupCreate:     func() Validator { return &GroupCreate{} },
	TypeGroupAdd:        func() Validator { return &GroupAdd{} },
	TypePresenceQuery:   func() Validator { return &PresenceQuery{} },
	TypeCallInvite:      func() Validator { return &CallInvite{} },
	TypeCallAccept:      func() Validator { return &CallRef{} },
	TypeCallDecline:     func() Validator { return &CallDecline{} },
	TypeCallCancel:      func() Validator { return &CallRef{} },
	TypeCallHangup:      func() Validator { return &CallRef{} },
	TypeCallJoin:        func() Validator { return &CallRef{} },
	TypeCallAdd:         func() Validator { return &CallAdd{} },
	TypeCallMediaState:  func() Validator { return &CallMediaState{} },
	TypeCallSwitchAudio: func() Validator { return &CallRef{} },
	TypeCallSignal:      func() Validator { return &CallSignal{} },
	TypeMediaJoin:       func() Validator { return &CallRef{} },
	TypeMediaSignal:     func() Validator { return &MediaSignal{} },
}

// payloads lists a decoder for every payload that comes from outside: the
// requests, and the body of login and register.
var payloads = func() map[string]func() Validator {
	m := maps.Clone(requests)
	m["credentials"] = func() Validator { return &Credentials{} }
	return m
}()

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"type":"chat.send","id":"7","payload":{"conversation":"direct:a:b","client_id":"c","text":"hi"}}`))
	f.Add([]byte(`{"type":"error","id":"1","error":{"code":"x","message":"y"}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"type":"x","Type":"y"}`))
	f.Add([]byte(`{"type":"x","payload":{"a":1,"\u0061":2}}`))
	f.Add([]byte(`{"type":"x","id":"\ud83d\ude00\udc00"}`))
	f.Add([]byte("{\"type\":\"x\",\"id\":\"\xed\xa0\x80\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := DecodeEnvelope(data)
		if err != nil {
			return
		}
		if env.Type == "" {
			t.Fatal("accepted an envelope without a type")
		}
		checkStrict(t, data, reflect.TypeFor[Envelope]())
	})
}

// checkStrict fails t unless data, which a decoder accepted as a t, keeps
// the strict rules: only UTF-8, no key twice in an object, and top-level
// keys that are exactly the names of typ's fields. (That no string holds
// an unpaired surrogate escape is left to TestStrictDecoding: encoding/json
// hides it, so there is nothing independent to compare with here.)
func checkStrict(t *testing.T, data []byte, typ reflect.Type) {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("accepted invalid UTF-8: %q", data)
	}
	if !keysUnique(data) {
		t.Fatalf("accepted a key given twice: %q", data)
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal(data, &top)
	for key := range top {
		known := false
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			known = known || name == key
		}
		if !known {
			t.Fatalf("accepted the key %q, which names no field of %s exactly: %q", key, typ, data)
		}
	}
}

// keysUnique reports whether no object in data has a key twice, as far as
// encoding/json's tokenizer can read it.
func keysUnique(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type object struct {
		seen    map[string]bool
		wantKey bool
	}
	var open []*object // nil for an array
	for {
		tok, err := dec.Token()
		if err != nil {
			return true
		}
		if n := len(open); n > 0 && open[n-1] != nil && tok != json.Delim('}') {
			if o := open[n-1]; o.wantKey {
				key, _ := tok.(string)
				if o.seen[key] {
					return false
				}
				o.seen[key], o.wantKey = true, false
				continue
			}
			open[n-1].wantKey = true // tok is the value, or opens it
		}
		switch tok {
		case json.Delim('{'):
			open = append(open, &object{seen: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			open = append(open, nil)
		case json.Delim('}'), json.Delim(']'):
			open = open[:len(open)-1]
		}
	}
}

// FuzzPayload runs every payload decoder on the same input; the first byte
// picks which one leads, so the corpus covers them all.
func FuzzPayload(f *testing.F) {
	f.Add([]byte(`{"conversation":"direct:a:b","client_id":"c","text":"hi"}`))
	f.Add([]byte(`{"call_id":"c1","to":"bob","kind":"candidate","candidate":{"candidate":"x"}}`))
	f.Add([]byte(`{"version":1,"token":"t","device":"d"}`))
	f.Add([]byte(`{"call_id":"c1","kind":"answer","sdp":"v=0"}`))
	f.Add([]byte(`{"after":{"group:x":1},"limit":3}`))
	f.Add([]byte(`{"name":"n","members":["a"]}`))
	f.Add([]byte(`{"user":"alice","password":"pw-\ud800"}`))
	f.Add([]byte("{\"user\":\"alice\",\"password\":\"pw-\xff\"}"))
	f.Add([]byte(`{"user":"alice","Password":"secret"}`))
	f.Add([]byte(`{"after":{"group:x":1,"group:x":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for typ, mk := range payloads {
			v := mk()
			if err := DecodePayload(data, v); err == nil {
				checkStrict(t, data, reflect.TypeOf(v).Elem())
				// What was accepted must survive a round trip unchanged.
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("%s: accepted but cannot encode: %v", typ, err)
				}
				w := mk()
				if err := DecodePayload(b, w); err != nil {
					t.Fatalf("%s: accepted %q but not its own encoding %q: %v", typ, data, b, err)
				}
			}
		}
	})
}

func TestCallRecordAlwaysHasDuration(t *testing.T) {
	for _, m := range []Message{
		{Type: KindCallRecord, Outcome: OutcomeNoAnswer, Media: MediaAudio},
		{Type: KindCallRecord, Outcome: OutcomeCompleted, Media: MediaVideo, DurationMS: 83000},
	} {
		b, _ := json.Marshal(m)
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil || back["duration_ms"] != float64(m.DurationMS) || back["type"] != KindCallRecord {
			t.Fatalf("%s: %v", b, err)
		}
		var round Message
		if err := json.Unmarshal(b, &round); err != nil || round != m {
			t.Fatalf("round trip %s: %+v %v", b, round, err)
		}
	}
	if b, _ := json.Marshal(Message{Type: KindText, Text: "hi"}); strings.Contains(string(b), "duration") {
		t.Fatalf("text message has a duration: %s", b)
	}
}
