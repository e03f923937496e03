// Package vp8frame puts VP8 frames back together from their RTP packets
// (RFC 7741) for the decoder of a call's remote video. It needs no cgo:
// only the decoder that takes its frames is libvpx.
package vp8frame

import (
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
)

const (
	// frameWindow is how many sequence numbers the assembler holds: about
	// four 640x480 frames, past which a missing packet is given up.
	frameWindow = 256
	// maxGapWait is how long a missing packet is waited for. A NACK gets
	// it resent within a round trip or two; past this a key frame asked
	// for by PLI comes sooner.
	maxGapWait = 250 * time.Millisecond
)

// Assembler puts VP8 frames back together from their RTP packets. A frame
// goes out as soon as its last packet (the one with the marker bit) is
// in. pion's samplebuilder also waits for the first packet of the next
// frame, which cost a frame interval (33 ms at 30 fps) on every frame and
// on call set-up.
//
// Packets may arrive out of order (NACK resends). A missing packet is
// waited for up to maxGapWait, or until the window fills; then it is
// given up, the frame it was part of is dropped, and the next frame out is
// marked afterLoss, so that the decoder asks for a key frame. Packets
// without payload (padding, as Chrome sends to probe the bandwidth) fill
// their sequence numbers and are no loss.
//
// The zero Assembler is ready to use, by one goroutine.
type Assembler struct {
	slots    [frameWindow]rtpSlot
	next     uint16 // sequence number of the first packet not yet used or dropped
	highest  uint16 // the highest sequence number pushed
	started  bool
	consumed bool      // a packet was used or dropped
	lost     bool      // something was given up since the last frame out
	gapAt    uint16    // where the assembler waits for a missing packet
	gapFrom  time.Time // since when; zero: not waiting
}

type rtpSlot struct {
	used      bool
	seq       uint16
	timestamp uint32
	marker    bool
	head      bool   // the first packet of a frame (S=1, partition 0)
	data      []byte // the VP8 payload after the descriptor; nil for padding
}

// IsKey says whether frame is a key frame: bit 0 of VP8's frame tag is
// clear in one.
func IsKey(frame []byte) bool { return len(frame) > 0 && frame[0]&1 == 0 }

// Push stores a packet; packets older than the ones already used, and
// packets whose VP8 descriptor does not parse, are dropped.
func (f *Assembler) Push(p *rtp.Packet) {
	seq := p.SequenceNumber
	if !f.started {
		f.started, f.next, f.highest = true, seq, seq
	}
	if int16(seq-f.next) < 0 {
		if f.consumed || f.highest-seq >= frameWindow {
			return // late or a duplicate: its frame is out or given up
		}
		f.next = seq // the stream's first packets, out of order
	}
	if d := seq - f.next; d >= frameWindow {
		// Too far ahead for the window: give up what is in the way.
		f.skipTo(seq - frameWindow + 1)
	}
	if int16(seq-f.highest) > 0 {
		f.highest = seq
	}
	s := rtpSlot{used: true, seq: seq, timestamp: p.Timestamp, marker: p.Marker}
	if len(p.Payload) > 0 {
		var vp8 codecs.VP8Packet
		data, err := vp8.Unmarshal(p.Payload)
		if err != nil {
			return // unusable: lost, when its turn comes
		}
		s.head = vp8.S == 1 && vp8.PID == 0
		s.data = data
	}
	f.slots[seq%frameWindow] = s
}

// Pop returns the next complete frame, if there is one. afterLoss says
// that packets were given up before it.
func (f *Assembler) Pop(now time.Time) (frame []byte, afterLoss bool, ok bool) {
	for f.started && int16(f.highest-f.next) >= 0 {
		s := f.slot(f.next)
		switch {
		case s == nil:
			if !f.waited(f.next, now) {
				return nil, false, false
			}
			f.skipPast(f.next)
		case s.data == nil: // padding
			f.drop(f.next)
		case !s.head: // the frame's start is gone
			if !f.consumed && !f.headAfter(f.next) {
				// The stream's very first packets came out of order:
				// the start may still come, unless a newer frame began.
				return nil, false, false
			}
			f.lost = true
			f.drop(f.next)
		default:
			end, st := f.frameEnd(now)
			if st == frameWaiting {
				return nil, false, false
			}
			if st == frameGivenUp {
				continue
			}
			for seq := f.next; seq != end+1; seq++ {
				frame = append(frame, f.slots[seq%frameWindow].data...)
				f.drop(seq)
			}
			afterLoss, f.lost = f.lost, false
			return frame, afterLoss, true
		}
	}
	return nil, false, false
}

type frameState int

const (
	frameComplete frameState = iota
	frameWaiting             // for a packet still to come
	frameGivenUp             // a packet of it is lost
)

// frameEnd finds the last packet of the frame that starts at next. When a
// packet of it is missing, it waits, then gives the frame up.
func (f *Assembler) frameEnd(now time.Time) (end uint16, st frameState) {
	ts := f.slot(f.next).timestamp
	for seq := f.next; int16(f.highest-seq) >= 0; seq++ {
		s := f.slot(seq)
		switch {
		case s == nil:
			if f.waited(seq, now) {
				f.skipPast(seq)
				return 0, frameGivenUp
			}
			return 0, frameWaiting
		case s.timestamp != ts:
			// A new frame began without a marker on the last one: the
			// frame ended at the packet before.
			return seq - 1, frameComplete
		case s.marker:
			return seq, frameComplete
		}
	}
	return 0, frameWaiting
}

// headAfter says whether a frame starts after seq.
func (f *Assembler) headAfter(seq uint16) bool {
	for seq++; int16(f.highest-seq) >= 0; seq++ {
		if s := f.slot(seq); s != nil && s.head {
			return true
		}
	}
	return false
}

// waited notes a missing packet at seq and says whether to stop waiting
// for it: it has been waited for long enough, or the window is full.
func (f *Assembler) waited(seq uint16, now time.Time) bool {
	if f.gapFrom.IsZero() || f.gapAt != seq {
		f.gapAt, f.gapFrom = seq, now
	}
	return now.Sub(f.gapFrom) >= maxGapWait || f.highest-f.next >= frameWindow-1
}

// skipPast gives up everything up to the missing packet at seq and the
// run of missing packets it begins.
func (f *Assembler) skipPast(seq uint16) {
	for seq++; int16(f.highest-seq) >= 0 && f.slot(seq) == nil; seq++ {
	}
	f.skipTo(seq)
}

// skipTo drops every packet before seq.
func (f *Assembler) skipTo(seq uint16) {
	for f.next != seq {
		f.drop(f.next)
	}
	f.lost = true
	if int16(f.highest-seq) < 0 {
		f.highest = seq - 1
	}
}

// drop frees the slot of seq and moves next past it.
func (f *Assembler) drop(seq uint16) {
	if s := f.slot(seq); s != nil {
		*s = rtpSlot{}
	}
	f.consumed = true
	if seq == f.next {
		f.next++
		f.gapFrom = time.Time{}
	}
}

func (f *Assembler) slot(seq uint16) *rtpSlot {
	s := &f.slots[seq%frameWindow]
	if !s.used || s.seq != seq {
		return nil
	}
	return s
}
