package sfu

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// Signaler is how a room speaks to one device; the server sends what it
// is given over that device's websocket. Its methods are called in order
// from the device's signaling goroutine, with no lock held, and must not
// block for long: the server queues.
type Signaler interface {
	Offer(sdp string)
	Candidate(c webrtc.ICECandidateInit)
}

// Bounds of what waits for a device: local candidates for the signaling
// goroutine (a connection has a handful, one per address and protocol),
// and remote candidates that came before the device's first answer.
const (
	maxQueuedCandidates = 64
	maxHeldCandidates   = 64
)

// estimateLifetime is how long a subscriber's bandwidth estimate counts:
// receivers send REMB about every second while packets flow.
const estimateLifetime = 5 * time.Second

// Media kinds, which index a peer's published tracks.
const (
	audioKind = iota
	videoKind
	kindCount
)

var kindNames = [kindCount]string{audioKind: "audio", videoKind: "video"}

// peer is one device's PeerConnection in a room.
type peer struct {
	room   *Room
	user   string
	device string
	sig    Signaler
	pc     *webrtc.PeerConnection
	log    *slog.Logger

	renegotiate chan struct{} // capacity 1: the forwarded tracks changed
	candidates  chan webrtc.ICECandidateInit
	closing     chan struct{}
	closeOnce   sync.Once
	wg          sync.WaitGroup // the signaling goroutine, published tracks' and senders' readers

	negMu          sync.Mutex // one negotiation at a time
	offerPending   bool       // an offer went out and no answer came yet
	offerAgain     bool       // the tracks changed while an offer was pending
	heldCandidates []webrtc.ICECandidateInit

	// Guarded by room.mu.
	removed       bool // no longer in the room: nothing may be added to wg
	published     [kindCount]*publishedTrack
	subscriptions map[*publishedTrack]*subscription

	// The device's downlink estimate (REMB), in bits per second, and when
	// it came (Unix nanoseconds); the number of video tracks sharing it.
	estimate           atomic.Uint64
	estimateAt         atomic.Int64
	videoSubscriptions atomic.Int32
}

// newPeer makes the device's PeerConnection, receiving one audio and one
// video track, and starts its signaling goroutine.
func newPeer(r *Room, user, device string, sig Signaler) (*peer, error) {
	pc, err := r.sfu.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	p := &peer{
		room:          r,
		user:          user,
		device:        device,
		sig:           sig,
		pc:            pc,
		log:           r.log.With("user", user, "device", device),
		renegotiate:   make(chan struct{}, 1),
		candidates:    make(chan webrtc.ICECandidateInit, maxQueuedCandidates),
		closing:       make(chan struct{}),
		subscriptions: map[*publishedTrack]*subscription{},
	}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if _, err := pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			_ = pc.Close()
			return nil, err
		}
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		select {
		case p.candidates <- c.ToJSON():
		default:
			p.log.Warn("sfu: candidate queue full, candidate dropped")
		}
	})
	pc.OnTrack(func(remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
		r.publish(p, remote, receiver)
	})
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		p.log.Debug("sfu: connection state", "state", state.String())
		if state == webrtc.PeerConnectionStateConnected {
			r.requestKeyFrames(p)
		}
	})
	p.wg.Add(1)
	go p.signal()
	return p, nil
}

// signal is the device's signaling goroutine, the only caller of its
// Signaler: offers when the forwarded tracks change, and local candidates
// in the order they were gathered, after the offer they belong to.
func (p *peer) signal() {
	defer p.wg.Done()
	for {
		select {
		case <-p.closing:
			return
		case <-p.renegotiate:
			if sdp, ok := p.makeOffer(); ok {
				p.sig.Offer(sdp)
			}
		case c := <-p.candidates:
			p.sig.Candidate(c)
		}
	}
}

// kick asks for a new offer; changes that come together make one offer.
func (p *peer) kick() {
	select {
	case p.renegotiate <- struct{}{}:
	default:
	}
}

// makeOffer sets a new local offer, unless one is waiting for its answer:
// then the change is offered once the answer comes.
func (p *peer) makeOffer() (string, bool) {
	p.negMu.Lock()
	defer p.negMu.Unlock()
	if p.offerPending {
		p.offerAgain = true
		return "", false
	}
	offer, err := p.pc.CreateOffer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(offer)
	}
	if err != nil {
		// A connection the device closed (DTLS close_notify) waits for
		// Leave; that is no news.
		if !p.isClosing() && p.pc.ConnectionState() != webrtc.PeerConnectionStateClosed {
			p.log.Warn("sfu: offer", "err", err)
		}
		return "", false
	}
	p.offerPending = true
	return offer.SDP, true
}

// answer applies the device's answer to the pending offer.
func (p *peer) answer(sdp string) error {
	p.negMu.Lock()
	if !p.offerPending {
		p.negMu.Unlock()
		return ErrNoOffer
	}
	p.offerPending = false
	err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
	if err != nil {
		// Back to stable, so that the next change can be offered.
		_ = p.pc.SetLocalDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeRollback})
		p.offerAgain = true
	}
	held := p.heldCandidates
	p.heldCandidates = nil
	for _, c := range held {
		if err := p.pc.AddICECandidate(c); err != nil {
			p.log.Debug("sfu: held candidate", "err", err)
		}
	}
	again := p.offerAgain
	p.offerAgain = false
	p.negMu.Unlock()

	if again {
		p.kick()
	}
	if err == nil {
		// Senders added by this negotiation start now.
		p.room.requestKeyFrames(p)
	}
	return err
}

// addCandidate adds a remote candidate, or holds it until the first
// answer when it comes before.
func (p *peer) addCandidate(c webrtc.ICECandidateInit) error {
	p.negMu.Lock()
	defer p.negMu.Unlock()
	if p.pc.RemoteDescription() == nil {
		if len(p.heldCandidates) >= maxHeldCandidates {
			return errors.New("sfu: too many candidates before the answer")
		}
		p.heldCandidates = append(p.heldCandidates, c)
		return nil
	}
	return p.pc.AddICECandidate(c)
}

// setEstimate records a REMB from the device.
func (p *peer) setEstimate(bitrate uint64, now time.Time) {
	p.estimate.Store(bitrate)
	p.estimateAt.Store(now.UnixNano())
}

// downlinkEstimate is the device's current bandwidth estimate, if it sent
// one recently.
func (p *peer) downlinkEstimate(now time.Time) (uint64, bool) {
	at := p.estimateAt.Load()
	if at == 0 || now.UnixNano()-at > int64(estimateLifetime) {
		return 0, false
	}
	return p.estimate.Load(), true
}

// belowFloor says whether the device's downlink cannot carry video.
func (p *peer) belowFloor(now time.Time) bool {
	est, ok := p.downlinkEstimate(now)
	return ok && est < videoFloor
}

func (p *peer) isClosing() bool {
	select {
	case <-p.closing:
		return true
	default:
		return false
	}
}

// close closes the PeerConnection and waits for the peer's goroutines.
// The peer must have been removed from its room first.
func (p *peer) close() {
	p.closeOnce.Do(func() {
		close(p.closing)
		if err := p.pc.GracefulClose(); err != nil {
			p.log.Debug("sfu: close", "err", err)
		}
		p.wg.Wait()
	})
}

// isClosedErr says whether a read error means the stream is gone for good
// rather than one bad packet.
func isClosedErr(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed)
}
