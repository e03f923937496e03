package media

import (
	"sync/atomic"
	"time"
)

// Counters are what the CLI prints at the end of a call, and what tests
// check media by.
type Counters struct {
	VideoFramesDecoded   int64
	AudioPacketsReceived int64
	VideoFramesSent      int64
	AudioFramesSent      int64
	// FirstVideoFrame and FirstAudioPacket are when the first remote frame
	// was decoded and the first remote audio packet arrived; zero before.
	// Setup time is measured to them.
	FirstVideoFrame  time.Time
	FirstAudioPacket time.Time
}

type counters struct {
	videoFrames, audioPackets atomic.Int64
	videoSent, audioSent      atomic.Int64
	firstVideo, firstAudio    atomic.Int64 // Unix nanoseconds
}

func (c *counters) videoFrame() {
	if c.videoFrames.Add(1) == 1 {
		c.firstVideo.Store(time.Now().UnixNano())
	}
}

func (c *counters) audioPacket() {
	if c.audioPackets.Add(1) == 1 {
		c.firstAudio.Store(time.Now().UnixNano())
	}
}

func (c *counters) snapshot() Counters {
	return Counters{
		VideoFramesDecoded:   c.videoFrames.Load(),
		AudioPacketsReceived: c.audioPackets.Load(),
		VideoFramesSent:      c.videoSent.Load(),
		AudioFramesSent:      c.audioSent.Load(),
		FirstVideoFrame:      unixNano(c.firstVideo.Load()),
		FirstAudioPacket:     unixNano(c.firstAudio.Load()),
	}
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}
