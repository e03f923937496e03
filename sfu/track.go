package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Feedback to publishers.
const (
	// keyFrameInterval spaces key frame requests to one publisher's track:
	// a key frame is large, and several subscribers often ask at once.
	keyFrameInterval = 500 * time.Millisecond
	// rembInterval is how often a publisher hears the subscribers' cap.
	rembInterval = time.Second
	// videoFloor is the least bandwidth, in bits per second, worth sending
	// video to: the cap sent to publishers never goes below it, and a
	// subscriber whose estimate is lower gets audio only.
	videoFloor = 100_000
)

// maxPacketSize bounds a received RTP packet; a packet on a path with a
// 1500-byte MTU is smaller.
const maxPacketSize = 1500

// publishedTrack is a track a device sends, forwarded to the room.
type publishedTrack struct {
	owner        *peer
	remote       *webrtc.TrackRemote
	receiver     *webrtc.RTPReceiver
	kind         int
	codec        webrtc.RTPCodecCapability
	ssrc         uint32
	audioLevelID uint8 // the negotiated extension id; 0 if none

	subs           atomic.Pointer[[]*subscription] // replaced, never changed, under room.mu
	muted          atomic.Bool
	keyFrameWanted atomic.Bool
	loudPackets    atomic.Int32 // loud audio packets since the speaking goroutine last looked

	// Owned by the forwarding goroutine.
	lastPLI, lastREMB time.Time
	// Owned by the room's speaking goroutine.
	speaking     bool
	quietWindows int
}

// subscription is one publishedTrack sent on one other device's connection.
type subscription struct {
	track  *publishedTrack
	peer   *peer // the subscriber
	local  *webrtc.TrackLocalStaticRTP
	sender *webrtc.RTPSender

	// Owned by the forwarding goroutine. dropped is how many packets the
	// subscriber did not get (muted, or no room for video): sequence
	// numbers are shifted by it so that it sees no gap, which it would
	// NACK in vain.
	dropped   uint16
	suspended bool
}

func newPublishedTrack(p *peer, remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) *publishedTrack {
	t := &publishedTrack{
		owner:    p,
		remote:   remote,
		receiver: receiver,
		codec:    remote.Codec().RTPCodecCapability,
		ssrc:     uint32(remote.SSRC()),
	}
	switch remote.Kind() {
	case webrtc.RTPCodecTypeAudio:
		t.kind = audioKind
	case webrtc.RTPCodecTypeVideo:
		t.kind = videoKind
	default:
		return nil
	}
	for _, ext := range receiver.GetParameters().HeaderExtensions {
		if ext.URI == audioLevelURI && ext.ID > 0 && ext.ID < 256 {
			t.audioLevelID = uint8(ext.ID)
		}
	}
	t.setSubscriptions(nil)
	return t
}

func (t *publishedTrack) subscriptions() []*subscription { return *t.subs.Load() }

func (t *publishedTrack) setSubscriptions(subs []*subscription) { t.subs.Store(&subs) }

func (t *publishedTrack) setMuted(muted bool) {
	if t.muted.Swap(muted) && !muted {
		t.requestKeyFrame()
	}
}

// requestKeyFrame asks for a key frame; the forwarding goroutine sends the
// PLI with the next packet, no sooner than keyFrameInterval after the last.
func (t *publishedTrack) requestKeyFrame() {
	if t.kind == videoKind {
		t.keyFrameWanted.Store(true)
	}
}

// forward is the track's one reader: it sends each packet to every
// subscriber, and the subscribers' feedback to the publisher. It ends
// when the stream does (the connection closed, or the device stopped
// sending the track).
func (t *publishedTrack) forward() {
	defer t.owner.wg.Done()
	defer t.owner.room.trackEnded(t)
	buf := make([]byte, maxPacketSize)
	var pkt rtp.Packet
	for {
		n, _, err := t.remote.Read(buf)
		if err != nil {
			if isClosedErr(err) || t.owner.isClosing() {
				return
			}
			continue
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		now := time.Now()
		t.sendFeedback(now)
		muted := t.muted.Load()
		if t.kind == audioKind && !muted {
			if level, ok := audioLevel(&pkt.Header, t.audioLevelID); ok && level <= loudLevel {
				t.loudPackets.Add(1)
			}
		}
		keepOnlyExtension(&pkt.Header, t.audioLevelID)
		for _, s := range t.subscriptions() {
			s.send(&pkt, muted, now)
		}
	}
}

// send forwards one packet to the subscriber, or drops it.
func (s *subscription) send(pkt *rtp.Packet, muted bool, now time.Time) {
	drop := muted
	if s.track.kind == videoKind {
		below := s.peer.belowFloor(now)
		if s.suspended && !below {
			s.track.requestKeyFrame()
		}
		s.suspended = below
		drop = drop || below
	}
	if drop {
		s.dropped++
		return
	}
	out := *pkt
	out.SequenceNumber -= s.dropped
	// An error means the subscriber's connection is closing; its removal
	// is under way.
	_ = s.local.WriteRTP(&out)
}

// sendFeedback sends the publisher a wanted key frame request and, every
// rembInterval, the subscribers' bandwidth cap.
func (t *publishedTrack) sendFeedback(now time.Time) {
	if now.Sub(t.lastPLI) >= keyFrameInterval && t.keyFrameWanted.CompareAndSwap(true, false) {
		t.lastPLI = now
		_ = t.owner.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: t.ssrc}})
	}
	if t.kind != videoKind || now.Sub(t.lastREMB) < rembInterval {
		return
	}
	t.lastREMB = now
	if bitrate, ok := t.subscribersCap(now); ok {
		_ = t.owner.pc.WriteRTCP([]rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: float32(bitrate), SSRCs: []uint32{t.ssrc}}})
	}
}

// subscribersCap is the bitrate the slowest subscriber can take of this
// track: its estimate shared among the video tracks it receives, but not
// below videoFloor. Subscribers that sent no estimate do not count.
func (t *publishedTrack) subscribersCap(now time.Time) (uint64, bool) {
	var lowest uint64
	found := false
	for _, s := range t.subscriptions() {
		est, ok := s.peer.downlinkEstimate(now)
		if !ok {
			continue
		}
		share := est / uint64(max(1, s.peer.videoSubscriptions.Load()))
		if !found || share < lowest {
			lowest = share
		}
		found = true
	}
	return max(lowest, videoFloor), found
}

// drainRTCP reads the publisher's RTCP for this track, so that the
// interceptors see its sender reports.
func (t *publishedTrack) drainRTCP() {
	defer t.owner.wg.Done()
	buf := make([]byte, maxPacketSize)
	for {
		if _, _, err := t.receiver.Read(buf); err != nil && (isClosedErr(err) || t.owner.isClosing()) {
			return
		}
	}
}

// readRTCP reads the subscriber's RTCP about this track: key frame
// requests go to the publisher (paced), REMB sets the subscriber's
// estimate. NACKs are answered by the interceptor as it is read.
func (s *subscription) readRTCP() {
	defer s.peer.wg.Done()
	buf := make([]byte, maxPacketSize)
	for {
		n, _, err := s.sender.Read(buf)
		if err != nil {
			if isClosedErr(err) || s.peer.isClosing() {
				return
			}
			continue
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, pkt := range pkts {
			switch pkt := pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				s.track.requestKeyFrame()
			case *rtcp.ReceiverEstimatedMaximumBitrate:
				s.peer.setEstimate(uint64(pkt.Bitrate), time.Now())
			}
		}
	}
}
