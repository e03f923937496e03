package main

import (
	"encoding/binary"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// The synthetic media of one participant.
const (
	videoFPS        = 30
	keyFrameEvery   = 2 * time.Second
	keyFrameBytes   = 15000 // about 12 packets
	deltaFrameBytes = 3900  // 30 fps × (59 × 3900 + 15000) B / 2 s ≈ 1 Mb/s
	maxChunk        = 1100  // VP8 data per RTP packet
	opusBytes       = 80    // 32 kb/s at 50 packets/s
	audioInterval   = 20 * time.Millisecond
	minKeyInterval  = 300 * time.Millisecond // a PLI is answered no sooner
)

const (
	kindAudio = 0
	kindVideo = 1
)

// trailer closes every payload: magic, publisher, kind, and the
// publisher's own packet counter for the kind, so that receivers count
// deliveries whatever the SFU does to sequence numbers and descriptors.
const trailerLen = 8

func putTrailer(b []byte, pub, kind int, counter uint32) {
	b[0], b[1], b[2], b[3] = 'P', 'B', byte(pub), byte(kind)
	binary.BigEndian.PutUint32(b[4:], counter)
}

func parseTrailer(payload []byte) (pub, kind int, counter uint32, ok bool) {
	if len(payload) < trailerLen {
		return 0, 0, 0, false
	}
	t := payload[len(payload)-trailerLen:]
	if t[0] != 'P' || t[1] != 'B' || t[3] > 1 {
		return 0, 0, 0, false
	}
	return int(t[2]), int(t[3]), binary.BigEndian.Uint32(t[4:]), true
}

// participant is one synthetic publisher: an Opus-like track at 50
// packets/s and, if it publishes video, a VP8-like track at 30 fps.
type participant struct {
	idx   int
	name  string
	video bool
	audio *webrtc.TrackLocalStaticRTP
	cam   *webrtc.TrackLocalStaticRTP

	keyWanted atomic.Bool
	sent      [2]atomic.Uint32 // counters handed out, by kind
	stop      chan struct{}
	done      chan struct{}
}

func newParticipant(idx int, video bool) *participant {
	name := "p" + itoa(idx)
	p := &participant{idx: idx, name: name, video: video, stop: make(chan struct{}), done: make(chan struct{})}
	p.audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, name+"-audio", name)
	if video {
		p.cam, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, name+"-video", name)
	}
	return p
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// start sends media until close.
func (p *participant) start() {
	go func() {
		defer close(p.done)
		audioTick := time.NewTicker(audioInterval)
		defer audioTick.Stop()
		var videoC <-chan time.Time
		if p.video {
			t := time.NewTicker(time.Second / videoFPS)
			defer t.Stop()
			videoC = t.C
		}
		var a audioState
		var v videoState
		for {
			select {
			case <-p.stop:
				return
			case <-audioTick.C:
				p.sendAudio(&a)
			case now := <-videoC:
				p.sendVideo(&v, now)
			}
		}
	}()
}

func (p *participant) close() {
	close(p.stop)
	<-p.done
}

type audioState struct {
	seq uint16
	ts  uint32
	buf [opusBytes]byte
}

func (p *participant) sendAudio(s *audioState) {
	s.seq++
	s.ts += 960
	s.buf[0] = 0xfc // an Opus TOC byte: CELT FB 20 ms
	putTrailer(s.buf[len(s.buf)-trailerLen:], p.idx, kindAudio, p.sent[kindAudio].Add(1)-1)
	_ = p.audio.WriteRTP(&rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: s.seq, Timestamp: s.ts, Marker: s.seq == 1},
		Payload: s.buf[:],
	})
}

type videoState struct {
	frame   int
	seq     uint16
	picID   uint16
	lastKey time.Time
	buf     [4 + maxChunk + trailerLen]byte
}

// sendVideo sends one frame: a key frame every keyFrameEvery, or when a
// PLI asked for one (no sooner than minKeyInterval after the last).
func (p *participant) sendVideo(s *videoState, now time.Time) {
	key := s.frame%int(keyFrameEvery.Seconds()*videoFPS) == 0 ||
		(now.Sub(s.lastKey) >= minKeyInterval && p.keyWanted.Swap(false))
	ts := uint32(s.frame) * (90000 / videoFPS)
	s.frame++
	s.picID = (s.picID + 1) & 0x7fff
	size := deltaFrameBytes + rand.IntN(400) - 200
	if key {
		s.lastKey = now
		size = keyFrameBytes
	}
	for off := 0; off < size; off += maxChunk {
		n := min(maxChunk, size-off)
		b := s.buf[:4+n+trailerLen]
		// VP8 payload descriptor: X, S on a frame's first packet, PID 0;
		// I; a 15-bit picture id.
		b[0] = 0x80
		if off == 0 {
			b[0] |= 0x10
		}
		b[1] = 0x80
		b[2] = 0x80 | byte(s.picID>>8)
		b[3] = byte(s.picID)
		if off == 0 {
			// VP8 frame tag: key or inter frame, version 0, shown, first
			// partition size; a key frame's start code and 640x480.
			tag := uint32(1<<4) | uint32(size/3)<<5
			if !key {
				tag |= 1
			}
			b[4], b[5], b[6] = byte(tag), byte(tag>>8), byte(tag>>16)
			if key {
				copy(b[7:], []byte{0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01})
			}
		}
		putTrailer(b[len(b)-trailerLen:], p.idx, kindVideo, p.sent[kindVideo].Add(1)-1)
		s.seq++
		_ = p.cam.WriteRTP(&rtp.Packet{
			Header:  rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: s.seq, Timestamp: ts, Marker: off+n >= size},
			Payload: b,
		})
	}
}

// vp8KeyStart says whether a VP8 RTP payload starts a key frame.
func vp8KeyStart(b []byte) bool {
	if len(b) < 1 || b[0]&0x10 == 0 || b[0]&0x07 != 0 {
		return false
	}
	i := 1
	if b[0]&0x80 != 0 {
		if len(b) < 2 {
			return false
		}
		x := b[1]
		i = 2
		if x&0x80 != 0 { // I
			if len(b) <= i {
				return false
			}
			if b[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 { // L
			i++
		}
		if x&0x30 != 0 { // T or K
			i++
		}
	}
	return len(b) > i && b[i]&0x01 == 0
}

// hook is the interceptor every generator PeerConnection gets first, so
// that it sits next to the wire: it drops outgoing RTP packets at the
// current loss rate (below the NACK responder, which can resend them)
// and turns incoming PLI and FIR into a key frame on the next frame.
type hook struct {
	interceptor.NoOp
	p    *participant // nil for a participant that does not publish
	loss *atomic.Int32
}

type hookFactory struct {
	p    *participant
	loss *atomic.Int32 // per mille
}

func (f *hookFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &hook{p: f.p, loss: f.loss}, nil
}

func (h *hook) BindLocalStream(_ *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	return interceptor.RTPWriterFunc(func(hdr *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		if l := h.loss.Load(); l > 0 && rand.Int32N(1000) < l {
			return hdr.MarshalSize() + len(payload), nil
		}
		return w.Write(hdr, payload, a)
	})
}

func (h *hook) BindRTCPReader(r interceptor.RTCPReader) interceptor.RTCPReader {
	if h.p == nil {
		return r
	}
	return interceptor.RTCPReaderFunc(func(b []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
		n, a, err := r.Read(b, a)
		if err != nil {
			return n, a, err
		}
		if a == nil {
			a = interceptor.Attributes{}
		}
		pkts, perr := a.GetRTCPPackets(b[:n])
		if perr == nil {
			for _, pkt := range pkts {
				switch pkt.(type) {
				case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
					h.p.keyWanted.Store(true)
				}
			}
		}
		return n, a, err
	})
}

// bitset marks the counters received of one publisher's track.
const bitsetWords = 1 << 12 // 262,144 packets: 35 min of video

type bitset [bitsetWords]uint64

func (s *bitset) set(i uint32) {
	if i < bitsetWords*64 {
		atomic.OrUint64(&s[i/64], 1<<(i%64))
	}
}

func (s *bitset) count(from, to uint32) int {
	n := 0
	for i := from; i < to && i < bitsetWords*64; i++ {
		if atomic.LoadUint64(&s[i/64])&(1<<(i%64)) != 0 {
			n++
		}
	}
	return n
}

// receiver counts what one participant receives.
type receiver struct {
	total    *atomic.Int64 // every participant's packets, for the rate
	marks    [maxParticipants + 1][2]*bitset
	seen     [maxParticipants + 1][2]atomic.Bool // a packet of the track came
	firstKey atomic.Int64                        // UnixNano of the first complete key frame
	keyDone  chan struct{}
}

const maxParticipants = 32

// otherPackets counts what receivers got that no generator sent.
var otherPackets atomic.Int64

func newReceiver(total *atomic.Int64, track bool) *receiver {
	r := &receiver{total: total, keyDone: make(chan struct{})}
	if track {
		for i := range r.marks {
			r.marks[i] = [2]*bitset{new(bitset), new(bitset)}
		}
	}
	return r
}

// read reads one remote track until it ends.
func (r *receiver) read(track *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	inKey, keyNext := false, uint16(0)
	video := track.Kind() == webrtc.RTPCodecTypeVideo
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		pub, kind, c, ok := parseTrailer(pkt.Payload)
		if !ok {
			// Not a generator's packet: padding, probes.
			otherPackets.Add(1)
			continue
		}
		r.total.Add(1)
		if pub <= maxParticipants {
			if r.marks[pub][kind] != nil {
				r.marks[pub][kind].set(c)
			}
			if !r.seen[pub][kind].Load() {
				r.seen[pub][kind].Store(true)
			}
		}
		if !video || r.firstKey.Load() != 0 {
			continue
		}
		// The first complete key frame: its first packet, then every
		// following sequence number up to the marker.
		if vp8KeyStart(pkt.Payload) {
			inKey, keyNext = true, pkt.SequenceNumber
		}
		if inKey {
			if pkt.SequenceNumber != keyNext {
				inKey = false
				continue
			}
			keyNext++
			if pkt.Marker && r.firstKey.CompareAndSwap(0, time.Now().UnixNano()) {
				close(r.keyDone)
			}
		}
	}
}
