package media

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// StatsInterval is how often OnStats is called.
const StatsInterval = 2 * time.Second

// Quality is a network quality level as Tencent TRTC reports it.
type Quality int

// Quality levels.
const (
	QualityUnknown Quality = iota
	QualityExcellent
	QualityGood
	QualityPoor
	QualityBad
	QualityVeryBad
	QualityDown
)

// Stats describe the last StatsInterval of a call, for a UI.
type Stats struct {
	RTT time.Duration
	// LossIn and LossOut are the fractions of packets lost on the way in
	// and, as the peer's reports say, on the way out.
	LossIn, LossOut float64
	// BitrateIn and BitrateOut count everything on the transport, in bits
	// per second.
	BitrateIn, BitrateOut int
	// FrameRate is of remote video frames decoded, per second.
	FrameRate float64
	Quality   Quality
}

// statsSample is the cumulative figures that Stats are differences of.
type statsSample struct {
	at                time.Time
	bytesIn, bytesOut uint64
	packetsIn, lostIn int64
	frames            int64
}

// statsLoop reports Stats until the Session closes: the PeerConnection it
// polls is open until then.
func (s *Session) statsLoop() {
	t := time.NewTicker(StatsInterval)
	defer t.Stop()
	prev := s.sampleStats()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		cur := s.sampleStats()
		publish(s, &s.stats, s.computeStats(prev, cur), s.cfg.OnStats)
		prev = cur
	}
}

func (s *Session) sampleStats() statsSample {
	smp := statsSample{at: time.Now(), frames: s.counters.videoFrames.Load()}
	for _, v := range s.pc.GetStats() {
		switch st := v.(type) {
		case webrtc.TransportStats:
			smp.bytesIn += st.BytesReceived
			smp.bytesOut += st.BytesSent
		case webrtc.InboundRTPStreamStats:
			smp.packetsIn += int64(st.PacketsReceived)
			smp.lostIn += int64(st.PacketsLost)
		}
	}
	return smp
}

// computeStats takes RTT and outbound loss from the peer's receiver
// reports as they are now, and the rest from the difference of two samples.
func (s *Session) computeStats(prev, cur statsSample) Stats {
	var st Stats
	var pairRTT time.Duration
	for _, v := range s.pc.GetStats() {
		switch r := v.(type) {
		case webrtc.RemoteInboundRTPStreamStats:
			st.RTT = max(st.RTT, seconds(r.RoundTripTime))
			st.LossOut = max(st.LossOut, r.FractionLost)
		case webrtc.ICECandidatePairStats:
			if r.Nominated {
				pairRTT = seconds(r.CurrentRoundTripTime)
			}
		}
	}
	if st.RTT == 0 {
		st.RTT = pairRTT // no RTCP reports yet, or no media: ICE's own
	}
	secs := cur.at.Sub(prev.at).Seconds()
	if secs > 0 {
		st.BitrateIn = int(float64(cur.bytesIn-prev.bytesIn) * 8 / secs)
		st.BitrateOut = int(float64(cur.bytesOut-prev.bytesOut) * 8 / secs)
		st.FrameRate = float64(cur.frames-prev.frames) / secs
	}
	got, lost := cur.packetsIn-prev.packetsIn, cur.lostIn-prev.lostIn
	if got+lost > 0 && lost > 0 {
		st.LossIn = float64(lost) / float64(got+lost)
	}
	st.Quality = quality(s.state(), st.RTT, max(st.LossIn, st.LossOut))
	return st
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// quality grades a connection the way TRTC's levels read: loss hurts a
// call sooner than delay does, and a lost connection is down whatever the
// figures say.
func quality(state State, rtt time.Duration, loss float64) Quality {
	switch {
	case state == StateDisconnected || state == StateFailed:
		return QualityDown
	case state != StateConnected:
		return QualityUnknown
	case loss <= 0.02 && rtt <= 150*time.Millisecond:
		return QualityExcellent
	case loss <= 0.05 && rtt <= 300*time.Millisecond:
		return QualityGood
	case loss <= 0.10 && rtt <= 500*time.Millisecond:
		return QualityPoor
	case loss <= 0.20 && rtt <= 800*time.Millisecond:
		return QualityBad
	default:
		return QualityVeryBad
	}
}
