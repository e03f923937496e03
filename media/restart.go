package media

import (
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"
)

// A call outlives its network path: when a laptop changes Wi-Fi or a
// router renews its address, the candidate pair in use goes dead and
// consent checks stop. The side that offered then restarts ICE (a new
// offer with new credentials; the peer answers it like any offer), so
// both sides gather candidates on the network as it is now. Only the
// offering side restarts, so the two never offer at once.
const (
	// restartAfter is how long the connection may stay disconnected (no
	// consent for Pion's 5 s first) before the restart: a short loss
	// recovers by itself, and a restart drops the old path at once.
	restartAfter = 2 * time.Second
	// restartRetry is how long a restart may take before the next one:
	// its offer may have been lost while the signaling connection was
	// down too.
	restartRetry = 10 * time.Second
)

// onICEState runs on Pion's goroutine for every ICE connection state.
func (s *Session) onICEState(st webrtc.ICEConnectionState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.offerer {
		return
	}
	switch st {
	case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
		s.stopRestartLocked()
	case webrtc.ICEConnectionStateDisconnected:
		s.armRestartLocked(restartAfter)
	case webrtc.ICEConnectionStateFailed:
		s.armRestartLocked(0)
	}
}

// armRestartLocked schedules a restart after d, unless one is scheduled.
func (s *Session) armRestartLocked(d time.Duration) {
	if s.restartTimer != nil {
		if d > 0 {
			return
		}
		s.restartTimer.Stop()
	}
	s.restartTimer = time.AfterFunc(d, s.restartICE)
}

func (s *Session) stopRestartLocked() {
	if s.restartTimer != nil {
		s.restartTimer.Stop()
		s.restartTimer = nil
	}
}

// restartICE sends an offer with new ICE credentials and arms the next
// try, which a connection cancels.
func (s *Session) restartICE() {
	s.negMu.Lock()
	defer s.negMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.restartTimer = time.AfterFunc(restartRetry, s.restartICE)
	// Candidates of the new gathering wait for the offer they belong to.
	s.localSent = false
	s.mu.Unlock()
	if err := s.offer(&webrtc.OfferOptions{ICERestart: true}); err != nil {
		s.reportError(fmt.Errorf("restarting the connection: %w", err))
	}
}

// offer makes an offer and sends it; negMu is held.
func (s *Session) offer(opts *webrtc.OfferOptions) error {
	offer, err := s.pc.CreateOffer(opts)
	if err != nil {
		return fmt.Errorf("media: offer: %w", err)
	}
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return fmt.Errorf("media: offer: %w", err)
	}
	s.sendDescription(SignalOffer, offer.SDP)
	return nil
}
