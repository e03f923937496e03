package vp8frame

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// vp8Packet is an RTP packet of a VP8 frame: head marks the frame's first
// packet, marker its last; b is the VP8 data it carries. Without data it
// is a padding packet.
func vp8Packet(seq uint16, ts uint32, head, marker bool, b ...byte) *rtp.Packet {
	p := &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: ts, Marker: marker}}
	if len(b) > 0 {
		desc := byte(0)
		if head {
			desc = 0x10 // S=1, partition 0
		}
		p.Payload = append([]byte{desc}, b...)
	}
	return p
}

type arrival struct {
	p     *rtp.Packet
	after time.Duration // since the start
}

type frameOut struct {
	data      string
	afterLoss bool
	at        time.Duration
}

func TestAssembler(t *testing.T) {
	const wait = maxGapWait
	for _, tc := range []struct {
		name string
		in   []arrival
		want []frameOut
	}{{
		name: "a frame goes out with its last packet, not with the next frame's first",
		in: []arrival{
			{p: vp8Packet(10, 900, true, false, 'a')},
			{p: vp8Packet(11, 900, false, false, 'b')},
			{p: vp8Packet(12, 900, false, true, 'c'), after: time.Millisecond},
		},
		want: []frameOut{{data: "abc", at: time.Millisecond}},
	}, {
		name: "packets out of order within a frame",
		in: []arrival{
			{p: vp8Packet(12, 900, false, true, 'c')},
			{p: vp8Packet(10, 900, true, false, 'a')},
			{p: vp8Packet(11, 900, false, false, 'b'), after: 2 * time.Millisecond},
		},
		want: []frameOut{{data: "abc", at: 2 * time.Millisecond}},
	}, {
		name: "a packet resent in time loses nothing, and the frame after it waits",
		in: []arrival{
			{p: vp8Packet(1, 0, true, true, 'a')},
			{p: vp8Packet(3, 3000, false, true, 'c')},
			{p: vp8Packet(4, 6000, true, true, 'd')},
			{p: vp8Packet(2, 3000, true, false, 'b'), after: 80 * time.Millisecond},
		},
		want: []frameOut{{data: "a"}, {data: "bc", at: 80 * time.Millisecond}, {data: "d", at: 80 * time.Millisecond}},
	}, {
		name: "a packet never resent: its frame is dropped, the next one is marked",
		in: []arrival{
			{p: vp8Packet(1, 0, true, true, 'a')},
			{p: vp8Packet(3, 3000, false, true, 'c')},
			{p: vp8Packet(4, 6000, true, true, 'd')},
			{p: vp8Packet(5, 9000, true, true, 'e'), after: wait},
		},
		want: []frameOut{{data: "a"}, {data: "d", afterLoss: true, at: wait}, {data: "e", at: wait}},
	}, {
		name: "the last packet of a frame lost",
		in: []arrival{
			{p: vp8Packet(1, 0, true, false, 'a')},
			{p: vp8Packet(3, 3000, true, true, 'c')},
			{p: vp8Packet(4, 6000, true, true, 'd'), after: wait},
		},
		want: []frameOut{{data: "c", afterLoss: true, at: wait}, {data: "d", at: wait}},
	}, {
		name: "padding between frames is no loss",
		in: []arrival{
			{p: vp8Packet(1, 0, true, true, 'a')},
			{p: vp8Packet(2, 0, false, false)},
			{p: vp8Packet(3, 0, false, false)},
			{p: vp8Packet(4, 3000, true, true, 'b')},
		},
		want: []frameOut{{data: "a"}, {data: "b"}},
	}, {
		name: "sequence numbers wrap",
		in: []arrival{
			{p: vp8Packet(65534, 0, true, false, 'a')},
			{p: vp8Packet(65535, 0, false, false, 'b')},
			{p: vp8Packet(0, 0, false, true, 'c')},
			{p: vp8Packet(1, 3000, true, true, 'd')},
		},
		want: []frameOut{{data: "abc"}, {data: "d"}},
	}, {
		name: "late and duplicate packets are dropped",
		in: []arrival{
			{p: vp8Packet(5, 0, true, true, 'a')},
			{p: vp8Packet(5, 0, true, true, 'a')},
			{p: vp8Packet(4, 0, false, true, 'z')},
			{p: vp8Packet(6, 3000, true, true, 'b')},
		},
		want: []frameOut{{data: "a"}, {data: "b"}},
	}, {
		name: "joining in the middle of a frame",
		in: []arrival{
			{p: vp8Packet(7, 0, false, true, 'x')},
			{p: vp8Packet(8, 3000, true, true, 'a')},
		},
		want: []frameOut{{data: "a", afterLoss: true}},
	}, {
		name: "a frame without a marker ends where the next begins",
		in: []arrival{
			{p: vp8Packet(1, 0, true, false, 'a')},
			{p: vp8Packet(2, 3000, true, true, 'b')},
		},
		want: []frameOut{{data: "a"}, {data: "b"}},
	}, {
		name: "a packet far ahead gives up what the window cannot hold",
		in: []arrival{
			{p: vp8Packet(1, 0, true, false, 'a')},
			{p: vp8Packet(1+frameWindow, 3000, true, true, 'b')},
		},
		want: []frameOut{{data: "b", afterLoss: true}},
	}, {
		name: "a descriptor that does not parse counts as lost",
		in: []arrival{
			{p: &rtp.Packet{Header: rtp.Header{SequenceNumber: 1, Marker: true}, Payload: []byte{0x80}}},
			{p: vp8Packet(2, 3000, true, true, 'b'), after: wait},
		},
		want: []frameOut{{data: "b", afterLoss: true, at: wait}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Unix(1000, 0)
			var f Assembler
			var got []frameOut
			for _, a := range tc.in {
				now := start.Add(a.after)
				f.Push(a.p)
				for {
					data, lost, ok := f.Pop(now)
					if !ok {
						break
					}
					got = append(got, frameOut{data: string(data), afterLoss: lost, at: a.after})
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("frames out %v; want %v", got, tc.want)
			}
		})
	}
}

// FuzzAssembler feeds the assembler packets as a remote peer could send
// them: any sequence numbers, timestamps, markers and payloads. It must
// not panic, and what comes out is made only of payload bytes that went
// in.
func FuzzAssembler(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0x10, 'a', 0, 2, 1, 1, 0x00, 'b'})
	f.Add([]byte{255, 255, 0, 0, 0x10, 0, 0, 1, 0, 0, 0x90, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var fr Assembler
		now := time.Unix(0, 0)
		var in []byte
		// Records of 4 header bytes (sequence number, timestamp step,
		// marker) then a payload length byte and the payload.
		for len(b) >= 5 {
			p := &rtp.Packet{Header: rtp.Header{
				SequenceNumber: uint16(b[0])<<8 | uint16(b[1]),
				Timestamp:      uint32(b[2]) * 3000,
				Marker:         b[3]&1 == 1,
			}}
			n := min(int(b[4]), len(b)-5)
			p.Payload = b[5 : 5+n]
			in = append(in, p.Payload...)
			b = b[5+n:]
			now = now.Add(time.Duration(p.Timestamp%7) * 50 * time.Millisecond)
			fr.Push(p)
			for {
				data, _, ok := fr.Pop(now)
				if !ok {
					break
				}
				if len(data) > len(in) {
					t.Fatalf("a frame of %d bytes from %d bytes of payload", len(data), len(in))
				}
				for _, c := range data {
					if !bytes.Contains(in, []byte{c}) {
						t.Fatalf("frame byte %#x never went in", c)
					}
				}
			}
		}
	})
}

func TestIsKey(t *testing.T) {
	for _, c := range []struct {
		frame []byte
		want  bool
	}{
		{[]byte{0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a}, true}, // a key frame's tag and start code
		{[]byte{0x31, 0x0b, 0x00}, false},                  // an interframe
		{nil, false},
	} {
		if got := IsKey(c.frame); got != c.want {
			t.Errorf("IsKey(% x) = %v, want %v", c.frame, got, c.want)
		}
	}
}
