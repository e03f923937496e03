package media

import (
	"encoding/json"
	"fmt"

	"github.com/pion/webrtc/v4"
)

// Start negotiates as the caller: it sends the offer. ICE and DTLS run as
// soon as the answer comes, whether or not anything is sent yet. The side
// that started also restarts ICE when the network path dies (restart.go).
func (s *Session) Start() error {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.offerer = true
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return s.offer(nil)
}

// HandleSignal takes a signal from the peer: an offer (answered at once),
// an answer, or a trickled ICE candidate, which may come before the
// description it belongs to.
func (s *Session) HandleSignal(kind, sdp string, candidate json.RawMessage) error {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	switch kind {
	case SignalOffer:
		if err := s.setRemote(webrtc.SDPTypeOffer, sdp); err != nil {
			return err
		}
		answer, err := s.pc.CreateAnswer(nil)
		if err != nil {
			return fmt.Errorf("media: answer: %w", err)
		}
		// Candidates of a gathering this answer starts (an ICE restart's)
		// go after it.
		s.mu.Lock()
		s.localSent = false
		s.mu.Unlock()
		if err := s.pc.SetLocalDescription(answer); err != nil {
			return fmt.Errorf("media: answer: %w", err)
		}
		s.sendDescription(SignalAnswer, answer.SDP)
		return nil
	case SignalAnswer:
		return s.setRemote(webrtc.SDPTypeAnswer, sdp)
	case SignalCandidate:
		var c webrtc.ICECandidateInit
		if err := json.Unmarshal(candidate, &c); err != nil {
			return fmt.Errorf("media: bad candidate: %w", err)
		}
		if c.Candidate == "" {
			return nil // end of candidates: ICE needs no word of it
		}
		s.mu.Lock()
		if !s.remoteSet {
			defer s.mu.Unlock()
			if len(s.pendingRemote) >= maxPendingCandidates {
				return fmt.Errorf("media: more than %d candidates before the description", maxPendingCandidates)
			}
			s.pendingRemote = append(s.pendingRemote, c)
			return nil
		}
		s.mu.Unlock()
		if err := s.pc.AddICECandidate(c); err != nil {
			return fmt.Errorf("media: candidate: %w", err)
		}
		return nil
	}
	return fmt.Errorf("media: unknown signal %q", kind)
}

func (s *Session) setRemote(t webrtc.SDPType, sdp string) error {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: t, SDP: sdp}); err != nil {
		return fmt.Errorf("media: remote %s: %w", t, err)
	}
	s.mu.Lock()
	pending := s.pendingRemote
	s.pendingRemote, s.remoteSet = nil, true
	s.mu.Unlock()
	for _, c := range pending {
		if err := s.pc.AddICECandidate(c); err != nil {
			return fmt.Errorf("media: candidate: %w", err)
		}
	}
	return nil
}

// sendDescription sends an offer or answer, then the candidates gathered
// before it went out: a candidate that overtook its description would be
// of no use to a peer that has not yet got one.
func (s *Session) sendDescription(kind, sdp string) {
	s.sigMu.Lock()
	defer s.sigMu.Unlock()
	s.sig.SendSignal(kind, sdp, nil)
	s.mu.Lock()
	pending := s.pendingLocal
	s.pendingLocal, s.localSent = nil, true
	s.mu.Unlock()
	for _, c := range pending {
		s.sig.SendSignal(SignalCandidate, "", c)
	}
}

// onLocalCandidate trickles a gathered candidate to the peer.
func (s *Session) onLocalCandidate(c *webrtc.ICECandidate) {
	if c == nil {
		return // gathering is complete
	}
	raw, err := json.Marshal(c.ToJSON())
	if err != nil {
		s.reportError(err)
		return
	}
	s.sigMu.Lock()
	defer s.sigMu.Unlock()
	s.mu.Lock()
	sent := s.localSent
	if !sent {
		s.pendingLocal = append(s.pendingLocal, raw)
	}
	s.mu.Unlock()
	if sent {
		s.sig.SendSignal(SignalCandidate, "", raw)
	}
}

func (s *Session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
