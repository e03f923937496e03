package media

import (
	"sync"
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
	// Senders holds what was received from each sender, by the stream id
	// of its tracks: through the SFU, by user.
	Senders map[string]Received
}

// Received counts the media of one sender.
type Received struct {
	VideoFramesDecoded   int64
	AudioPacketsReceived int64
}

type counters struct {
	videoFrames, audioPackets atomic.Int64
	videoSent, audioSent      atomic.Int64
	firstVideo, firstAudio    atomic.Int64 // Unix nanoseconds

	mu      sync.Mutex
	senders map[string]*Received
}

func (c *counters) videoFrame(from string) {
	if c.videoFrames.Add(1) == 1 {
		c.firstVideo.Store(time.Now().UnixNano())
	}
	c.mu.Lock()
	c.sender(from).VideoFramesDecoded++
	c.mu.Unlock()
}

func (c *counters) audioPacket(from string) {
	if c.audioPackets.Add(1) == 1 {
		c.firstAudio.Store(time.Now().UnixNano())
	}
	c.mu.Lock()
	c.sender(from).AudioPacketsReceived++
	c.mu.Unlock()
}

// sender returns the counts of from, under c.mu.
func (c *counters) sender(from string) *Received {
	r := c.senders[from]
	if r == nil {
		if c.senders == nil {
			c.senders = map[string]*Received{}
		}
		r = &Received{}
		c.senders[from] = r
	}
	return r
}

func (c *counters) snapshot() Counters {
	c.mu.Lock()
	senders := make(map[string]Received, len(c.senders))
	for from, r := range c.senders {
		senders[from] = *r
	}
	c.mu.Unlock()
	return Counters{
		Senders:              senders,
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

// Plus adds the counts of o, of an earlier or later session of the same
// call, to c's; first times are the earlier of the two.
func (c Counters) Plus(o Counters) Counters {
	sum := Counters{
		VideoFramesDecoded:   c.VideoFramesDecoded + o.VideoFramesDecoded,
		AudioPacketsReceived: c.AudioPacketsReceived + o.AudioPacketsReceived,
		VideoFramesSent:      c.VideoFramesSent + o.VideoFramesSent,
		AudioFramesSent:      c.AudioFramesSent + o.AudioFramesSent,
		FirstVideoFrame:      earlier(c.FirstVideoFrame, o.FirstVideoFrame),
		FirstAudioPacket:     earlier(c.FirstAudioPacket, o.FirstAudioPacket),
		Senders:              make(map[string]Received, len(c.Senders)+len(o.Senders)),
	}
	for _, m := range []map[string]Received{c.Senders, o.Senders} {
		for from, r := range m {
			t := sum.Senders[from]
			t.VideoFramesDecoded += r.VideoFramesDecoded
			t.AudioPacketsReceived += r.AudioPacketsReceived
			sum.Senders[from] = t
		}
	}
	return sum
}

// earlier is the earlier of two times, zero meaning none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// From counts every sender as user: the one remote device of a direct
// call, whatever stream ids it gave its tracks.
func (c Counters) From(user string) Counters {
	var r Received
	for _, s := range c.Senders {
		r.VideoFramesDecoded += s.VideoFramesDecoded
		r.AudioPacketsReceived += s.AudioPacketsReceived
	}
	c.Senders = map[string]Received{}
	if r != (Received{}) {
		c.Senders[user] = r
	}
	return c
}
