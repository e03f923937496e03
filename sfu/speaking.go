package sfu

import (
	"slices"
	"time"

	"github.com/pion/rtp"
)

// Who is speaking. RFC 6464 levels are in -dBov: 0 is the loudest, 127
// silence; speech is typically -20 to -40 dBov, a quiet room below -50.
const (
	speakingInterval = 300 * time.Millisecond
	// loudLevel is the quietest level that counts as speech.
	loudLevel = 40
	// minLoudPackets per interval start or keep someone speaking: at
	// 20 ms a packet, 60 ms of speech, so a click does not.
	minLoudPackets = 3
	// quietIntervals is how long someone stays speaking after the speech
	// stops, so that the pauses between words do not flicker.
	quietIntervals = 3
)

// audioLevel reads the RFC 6464 audio level extension with the given id
// from a packet's header: the level in -dBov, 0 to 127.
func audioLevel(h *rtp.Header, id uint8) (uint8, bool) {
	if id == 0 || !h.Extension {
		return 0, false
	}
	ext := h.GetExtension(id)
	if len(ext) < 1 {
		return 0, false
	}
	return ext[0] & 0x7f, true
}

// keepOnlyExtension removes every header extension but the one with the
// given id (0: all). The others belong to the publisher's transport:
// transport-wide sequence numbers in particular would make a browser
// subscriber send feedback the SFU does not use instead of REMB.
func keepOnlyExtension(h *rtp.Header, id uint8) {
	if !h.Extension {
		return
	}
	var keep []byte
	if id != 0 {
		keep = h.GetExtension(id)
	}
	h.Extensions = h.Extensions[:0]
	if keep == nil {
		h.Extension = false
		h.ExtensionProfile = 0
		return
	}
	// Extension stays true: SetExtension then keeps the profile.
	if h.SetExtension(id, keep) != nil {
		h.Extension = false
		h.ExtensionProfile = 0
	}
}

// watchSpeaking is the room's speaking goroutine: every speakingInterval
// it works out who is speaking and reports the set when it changes.
func (r *Room) watchSpeaking() {
	defer r.wg.Done()
	tick := time.NewTicker(speakingInterval)
	defer tick.Stop()
	var reported []string
	for {
		select {
		case <-r.done:
			return
		case <-tick.C:
		}
		speakers := r.speakers()
		if !slices.Equal(speakers, reported) {
			reported = speakers
			r.sfu.cfg.OnSpeaking(r.id, slices.Clone(speakers))
		}
	}
}

// speakers lists, sorted, the users whose audio has been loud lately.
func (r *Room) speakers() []string {
	r.mu.Lock()
	tracks := make([]*publishedTrack, 0, len(r.peers))
	for _, p := range r.peers {
		if t := p.published[audioKind]; t != nil {
			tracks = append(tracks, t)
		}
	}
	r.mu.Unlock()

	var users []string
	for _, t := range tracks {
		if t.updateSpeaking() {
			users = append(users, t.owner.user)
		}
	}
	slices.Sort(users)
	return users
}

// updateSpeaking takes the interval's loud packets into the track's
// speaking state. Only the speaking goroutine calls it.
func (t *publishedTrack) updateSpeaking() bool {
	loud := t.loudPackets.Swap(0)
	switch {
	case t.muted.Load():
		t.speaking = false
	case loud >= minLoudPackets:
		t.speaking = true
		t.quietWindows = 0
	case t.speaking:
		t.quietWindows++
		t.speaking = t.quietWindows < quietIntervals
	}
	return t.speaking
}
