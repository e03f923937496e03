package sfu

import (
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"
)

// Room is the SFU side of one call: a PeerConnection per joined device,
// each device's tracks forwarded to every other one.
type Room struct {
	sfu *SFU
	id  string
	log *slog.Logger

	mu    sync.Mutex
	peers map[string]*peer     // by user: one device per user
	muted map[string]muteState // by user, kept across joins
	ended bool

	done chan struct{}  // closed when the room ends: stops the speaking goroutine
	wg   sync.WaitGroup // the speaking goroutine
}

type muteState struct{ audio, video bool }

func newRoom(s *SFU, id string) *Room {
	r := &Room{
		sfu:   s,
		id:    id,
		log:   s.log.With("room", id),
		peers: map[string]*peer{},
		muted: map[string]muteState{},
		done:  make(chan struct{}),
	}
	if s.cfg.OnSpeaking != nil {
		r.wg.Add(1)
		go r.watchSpeaking()
	}
	return r
}

// endedRoom is what Room returns once the SFU is closed.
func endedRoom(s *SFU, id string) *Room {
	done := make(chan struct{})
	close(done)
	return &Room{sfu: s, id: id, log: s.log, peers: map[string]*peer{}, muted: map[string]muteState{}, ended: true, done: done}
}

// Join makes a PeerConnection for the device and offers it every other
// participant's tracks. A user has one device in a room: joining again,
// from any device, closes the previous connection.
func (r *Room) Join(user, device string, sig Signaler) error {
	r.mu.Lock()
	ended := r.ended
	r.mu.Unlock()
	if ended {
		return ErrRoomEnded
	}
	p, err := newPeer(r, user, device, sig)
	if err != nil {
		return err
	}

	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		p.close()
		return ErrRoomEnded
	}
	var changed []*peer
	old := r.peers[user]
	if old != nil {
		changed = r.removePeerLocked(old)
	}
	r.peers[user] = p
	for _, other := range r.peers {
		for _, t := range other.published {
			if t != nil && other != p {
				r.subscribeLocked(p, t)
			}
		}
	}
	r.mu.Unlock()

	p.kick()
	kickAll(changed)
	if old != nil {
		old.close()
	}
	return nil
}

// Answer applies a device's answer to the room's latest offer.
func (r *Room) Answer(user, device, sdp string) error {
	p, err := r.lookup(user, device)
	if err != nil {
		return err
	}
	return p.answer(sdp)
}

// Candidate adds a device's ICE candidate.
func (r *Room) Candidate(user, device string, c webrtc.ICECandidateInit) error {
	p, err := r.lookup(user, device)
	if err != nil {
		return err
	}
	return p.addCandidate(c)
}

// Leave closes the device's PeerConnection, once its tracks are removed
// from every other connection (each is offered again at once). It waits
// for the device's goroutines.
func (r *Room) Leave(user, device string) {
	r.mu.Lock()
	p := r.peers[user]
	if p == nil || p.device != device {
		r.mu.Unlock()
		return
	}
	changed := r.removePeerLocked(p)
	r.mu.Unlock()
	kickAll(changed)
	p.close()
}

// Devices returns the device of each user connected to the room.
func (r *Room) Devices() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.peers))
	for user, p := range r.peers {
		out[user] = p.device
	}
	return out
}

// Mute stops (or resumes) forwarding a user's audio and video; the
// packets are dropped at the SFU. It holds for tracks published later.
func (r *Room) Mute(user string, audioMuted, videoOff bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	state := muteState{audio: audioMuted, video: videoOff}
	if state == (muteState{}) {
		delete(r.muted, user)
	} else {
		r.muted[user] = state
	}
	if p := r.peers[user]; p != nil {
		if t := p.published[audioKind]; t != nil {
			t.setMuted(audioMuted)
		}
		if t := p.published[videoKind]; t != nil {
			t.setMuted(videoOff)
		}
	}
}

func (r *Room) lookup(user, device string) (*peer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return nil, ErrRoomEnded
	}
	p := r.peers[user]
	if p == nil || p.device != device {
		return nil, ErrNotJoined
	}
	return p, nil
}

// publish forwards a track the device sends to every other participant.
// It runs on the goroutine Pion starts for OnTrack.
func (r *Room) publish(p *peer, remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	t := newPublishedTrack(p, remote, receiver)
	if t == nil {
		return
	}
	r.mu.Lock()
	if r.ended || p.removed {
		r.mu.Unlock()
		return
	}
	var changed []*peer
	if old := p.published[t.kind]; old != nil {
		changed = r.unpublishLocked(old)
	}
	p.published[t.kind] = t
	m := r.muted[p.user]
	t.muted.Store(m.audio && t.kind == audioKind || m.video && t.kind == videoKind)
	for _, q := range r.peers {
		if q != p {
			r.subscribeLocked(q, t)
			changed = append(changed, q)
		}
	}
	p.wg.Add(2)
	go t.forward()
	go t.drainRTCP()
	r.mu.Unlock()
	kickAll(changed)
}

// trackEnded unpublishes a track whose stream ended while its device is
// still in the room (the device stopped sending it).
func (r *Room) trackEnded(t *publishedTrack) {
	r.mu.Lock()
	var changed []*peer
	if !t.owner.removed && t.owner.published[t.kind] == t {
		changed = r.unpublishLocked(t)
	}
	r.mu.Unlock()
	kickAll(changed)
}

// subscribeLocked adds a local track for t to p's connection.
func (r *Room) subscribeLocked(p *peer, t *publishedTrack) {
	local, err := webrtc.NewTrackLocalStaticRTP(t.codec, t.owner.user+"-"+kindNames[t.kind], t.owner.user)
	if err != nil {
		p.log.Warn("sfu: local track", "err", err)
		return
	}
	// A new sendonly transceiver each time: AddTrack would reuse the
	// device's own recvonly transceivers.
	tr, err := p.pc.AddTransceiverFromTrack(local, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		p.log.Warn("sfu: add track", "err", err)
		return
	}
	s := &subscription{track: t, peer: p, local: local, sender: tr.Sender()}
	p.subscriptions[t] = s
	t.setSubscriptions(with(t.subscriptions(), s))
	if t.kind == videoKind {
		p.videoSubscriptions.Add(1)
		// A late joiner should not wait for the next periodic key frame.
		t.requestKeyFrame()
	}
	p.wg.Add(1)
	go s.readRTCP()
}

// unpublishLocked removes t from every subscriber's connection and
// returns the subscribers, to be offered again.
func (r *Room) unpublishLocked(t *publishedTrack) []*peer {
	if t.owner.published[t.kind] == t {
		t.owner.published[t.kind] = nil
	}
	var changed []*peer
	for _, s := range t.subscriptions() {
		r.dropSubscriptionLocked(s)
		if err := s.peer.pc.RemoveTrack(s.sender); err != nil {
			s.peer.log.Debug("sfu: remove track", "err", err)
		}
		changed = append(changed, s.peer)
	}
	t.setSubscriptions(nil)
	return changed
}

func (r *Room) dropSubscriptionLocked(s *subscription) {
	delete(s.peer.subscriptions, s.track)
	if s.track.kind == videoKind {
		s.peer.videoSubscriptions.Add(-1)
	}
}

// removePeerLocked takes p out of the room: its tracks leave every other
// connection, and its subscriptions end with its connection. It returns
// the peers to offer again.
func (r *Room) removePeerLocked(p *peer) []*peer {
	delete(r.peers, p.user)
	p.removed = true
	var changed []*peer
	for _, t := range p.published {
		if t != nil {
			changed = append(changed, r.unpublishLocked(t)...)
		}
	}
	for t, s := range p.subscriptions {
		r.dropSubscriptionLocked(s)
		t.setSubscriptions(without(t.subscriptions(), s))
	}
	return changed
}

// requestKeyFrames asks the publishers of every video track p receives for
// a key frame: p has just connected or negotiated new tracks.
func (r *Room) requestKeyFrames(p *peer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for t := range p.subscriptions {
		t.requestKeyFrame()
	}
}

// end closes every PeerConnection and waits for the room's goroutines.
func (r *Room) end() {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return
	}
	r.ended = true
	peers := make([]*peer, 0, len(r.peers))
	for _, p := range r.peers {
		p.removed = true
		peers = append(peers, p)
	}
	r.peers = map[string]*peer{}
	r.mu.Unlock()

	close(r.done)
	var wg sync.WaitGroup
	for _, p := range peers {
		wg.Go(p.close)
	}
	wg.Wait()
	r.wg.Wait()
}

func kickAll(peers []*peer) {
	for _, p := range peers {
		p.kick()
	}
}

// with and without copy: the forwarding goroutine may be reading subs.
func with(subs []*subscription, s *subscription) []*subscription {
	return append(append(make([]*subscription, 0, len(subs)+1), subs...), s)
}

func without(subs []*subscription, s *subscription) []*subscription {
	out := make([]*subscription, 0, len(subs))
	for _, x := range subs {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
