package cluster

import (
	"reflect"
	"testing"
)

var wireCases = []struct {
	name string
	m    message
}{
	{"frame", message{kind: kindFrame, node: "n1", to: []Target{{User: "alice"}, {User: "bob", Except: "bob-phone"}, {User: "carol", Device: "c1"}},
		frame: []byte(`{"type":"chat.message","payload":{}}`)}},
	{"presence", message{kind: kindPresence, node: "n1", seq: 7, users: []Devices{{User: "alice", Count: 2}, {User: "bob"}}}},
	{"snapshot", message{kind: kindSnapshot, node: "n2", seq: 300, users: []Devices{}}},
	{"heartbeat", message{kind: kindHeartbeat, node: "n3", seq: 1 << 40}},
	{"leave", message{kind: kindLeave, node: "n3"}},
	{"call", message{kind: kindCall, node: "n1", typ: "call.signal", user: "bob", device: "bob-phone",
		frame: []byte(`{"call_id":"0123456789abcdef-9e0b7d15c2a4f8e61b3d0c77","to":"alice"}`)}},
	{"call reply", message{kind: kindCallReply, node: "n2", frame: []byte(`{"call":{}}`)}},
	{"call refused", message{kind: kindCallReply, node: "n2", code: "not_found", frame: []byte("no live call")}},
	{"device online", message{kind: kindDevice, node: "n1", seq: 1, user: "bob", device: "bob-phone"}},
	{"device offline", message{kind: kindDevice, node: "n1", user: "bob", device: "bob-phone"}},
	{"busy", message{kind: kindBusy, node: "n2", call: "c1", busy: []string{"alice", "bob"}}},
	{"busy no more", message{kind: kindBusy, node: "n2", call: "c1", busy: []string{}}},
}

func TestWireRoundTrip(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decode(tc.m.encode())
			if err != nil {
				t.Fatal(err)
			}
			want := tc.m
			if want.kind == kindFrame {
				want.users = nil
			}
			if (want.kind == kindPresence || want.kind == kindSnapshot) && want.users == nil {
				want.users = []Devices{}
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("decoded %+v; want %+v", *got, want)
			}
		})
	}
}

func TestWireRefuses(t *testing.T) {
	frame := (&message{kind: kindFrame, node: "n1", to: []Target{{User: "alice"}}, frame: []byte("x")}).encode()
	long := make([]byte, maxField+1)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"other version", append([]byte{2}, frame[1:]...)},
		{"unknown kind", append([]byte{version, 9}, frame[2:]...)},
		{"no node", (&message{kind: kindHeartbeat}).encode()},
		{"cut short", frame[:6]},
		{"frame without frame", frame[:len(frame)-1]},
		{"too many targets", []byte{version, byte(kindFrame), 2, 'n', '1', 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'}},
		{"long field", appendString([]byte{version, byte(kindHeartbeat)}, string(long))},
		{"too many devices", (&message{kind: kindPresence, node: "n1", users: []Devices{{User: "a", Count: maxDevices + 1}}}).encode()},
		{"device with a bad seq", (&message{kind: kindDevice, node: "n1", seq: 2, user: "bob", device: "d"}).encode()},
		{"too many busy", []byte{version, byte(kindBusy), 2, 'n', '1', 0, 1, 'c', 0xff, 0x01, 1, 'a'}},
		{"trailing bytes", append((&message{kind: kindLeave, node: "n1"}).encode(), 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if m, err := decode(tc.b); err == nil {
				t.Errorf("decoded %+v; want an error", m)
			}
		})
	}
}

// FuzzDecode: whatever arrives from NATS, decoding returns an error or a
// message that encodes back to the same bytes' meaning.
func FuzzDecode(f *testing.F) {
	for _, tc := range wireCases {
		f.Add(tc.m.encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		again, err := decode(m.encode())
		if err != nil {
			t.Fatalf("a decoded message does not decode again: %v", err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("decoded %+v, then %+v", m, again)
		}
	})
}
