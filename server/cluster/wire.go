package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// version is the first byte of every message between nodes. A node drops
// messages of another version: nodes of one cluster run one release.
const version = 1

// kind says what a message carries.
type kind byte

const (
	kindFrame     kind = 1 // a websocket frame for some devices
	kindPresence  kind = 2 // changes of the sender's devices per user
	kindSnapshot  kind = 3 // all of the sender's devices per user, asked for
	kindHeartbeat kind = 4 // the sender is alive; seq is its presence's
	kindLeave     kind = 5 // the sender is stopping
	kindCall      kind = 6 // a device's request about a call the receiver owns
	kindCallReply kind = 7 // the owner's answer to a kindCall
	kindDevice    kind = 8 // a device of the sender came or went
	kindBusy      kind = 9 // who takes part in a live call of the sender
)

// Bounds on what a message may hold, so that a bad one cannot make a node
// allocate much: the longest field is a user name or a device id.
const (
	maxField   = 128
	maxDevices = 1 << 16
)

// Target names devices the way the calls engine does: one device of User,
// or all of them but Except.
type Target struct {
	User   string
	Device string
	Except string
}

// Devices is how many devices of User a node has.
type Devices struct {
	User  string
	Count int
}

// message is what nodes send each other. Encoded:
//
//	version kind node seq, then
//	frame:               n, n × (user device except), the frame (the rest)
//	presence, snapshot:  n, n × (user count)
//	call:                type user device, the request's payload (the rest)
//	call reply:          code, the reply's payload or the error message (the rest)
//	device:              user device, and seq 1 when it came, 0 when it went
//	busy:                call, n, n × user
//
// where node, user, device, except, type, code and call are a uvarint
// length and bytes, and seq, n and count uvarints.
type message struct {
	kind  kind
	node  string
	seq   uint64    // presence, snapshot, heartbeat: the sender's presence change count; device: online
	to    []Target  // frame
	frame []byte    // frame; call and call reply: the payload
	users []Devices // presence, snapshot

	typ, user, device string   // call: the request; device: the device
	code              string   // call reply: the error's code, empty when it succeeded
	call              string   // busy: the call
	busy              []string // busy: its participants who are invited, ringing or joined
}

func (m *message) encode() []byte {
	b := []byte{version, byte(m.kind)}
	b = appendString(b, m.node)
	b = binary.AppendUvarint(b, m.seq)
	switch m.kind {
	case kindFrame:
		b = binary.AppendUvarint(b, uint64(len(m.to)))
		for _, t := range m.to {
			b = appendString(appendString(appendString(b, t.User), t.Device), t.Except)
		}
		b = append(b, m.frame...)
	case kindPresence, kindSnapshot:
		b = binary.AppendUvarint(b, uint64(len(m.users)))
		for _, u := range m.users {
			b = binary.AppendUvarint(appendString(b, u.User), uint64(u.Count))
		}
	case kindCall:
		b = append(appendString(appendString(appendString(b, m.typ), m.user), m.device), m.frame...)
	case kindCallReply:
		b = append(appendString(b, m.code), m.frame...)
	case kindDevice:
		b = appendString(appendString(b, m.user), m.device)
	case kindBusy:
		b = binary.AppendUvarint(appendString(b, m.call), uint64(len(m.busy)))
		for _, u := range m.busy {
			b = appendString(b, u)
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

var errShort = errors.New("message cut short")

// decode reads a message another node sent; anything malformed is an
// error, never a panic.
func decode(b []byte) (*message, error) {
	if len(b) < 2 {
		return nil, errShort
	}
	if b[0] != version {
		return nil, fmt.Errorf("message of version %d; this node speaks %d", b[0], version)
	}
	r := reader{b: b[2:]}
	m := &message{kind: kind(b[1]), node: r.string(), seq: r.uvarint()}
	if m.node == "" && r.err == nil {
		r.err = errors.New("message from no node")
	}
	switch m.kind {
	case kindFrame:
		n := r.count(3) // each target is at least three empty fields
		m.to = make([]Target, 0, n)
		for range n {
			m.to = append(m.to, Target{User: r.string(), Device: r.string(), Except: r.string()})
		}
		m.frame, r.b = r.b, nil
		if len(m.frame) == 0 && r.err == nil {
			r.err = errors.New("frame message with no frame")
		}
	case kindPresence, kindSnapshot:
		n := r.count(2)
		m.users = make([]Devices, 0, n)
		for range n {
			u := Devices{User: r.string()}
			c := r.uvarint()
			if c > maxDevices && r.err == nil {
				r.err = fmt.Errorf("%d devices", c)
			}
			u.Count = int(c)
			m.users = append(m.users, u)
		}
	case kindCall:
		m.typ, m.user, m.device = r.string(), r.string(), r.string()
		m.frame, r.b = r.rest(), nil
	case kindCallReply:
		m.code = r.string()
		m.frame, r.b = r.rest(), nil
	case kindDevice:
		m.user, m.device = r.string(), r.string()
		if m.seq > 1 && r.err == nil {
			r.err = fmt.Errorf("device message with seq %d", m.seq)
		}
	case kindBusy:
		m.call = r.string()
		n := r.count(1)
		m.busy = make([]string, 0, n)
		for range n {
			m.busy = append(m.busy, r.string())
		}
	case kindHeartbeat, kindLeave:
	default:
		return nil, fmt.Errorf("unknown kind %d", m.kind)
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes too many", len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

// reader reads fields off a message; its first error sticks and every
// later read returns a zero value.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > maxField || n > uint64(len(r.b)) {
		r.err = fmt.Errorf("field of %d bytes", n)
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// rest is what is left of the message, nil when there is nothing or an
// earlier read failed.
func (r *reader) rest() []byte {
	if r.err != nil || len(r.b) == 0 {
		return nil
	}
	return r.b
}

// count reads the number of entries that follow, each at least min bytes
// long: no more can fit in what is left, which bounds the allocation.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)/min) {
		r.err = fmt.Errorf("%d entries in %d bytes", n, len(r.b))
	}
	if r.err != nil {
		return 0
	}
	return int(n)
}
