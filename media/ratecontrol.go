package media

import "time"

// Rate adaptation, as browsers do it: video starts at a rate that carries
// 640x480 decently without first probing the link, follows the send-side
// bandwidth estimate (GCC, see newAPI) up to Config.MaxVideoBitrate, and
// sends half the frames when the link or the CPU cannot keep up.

// videoStartBitrate is the video's target until the first estimate.
const videoStartBitrate = 600_000

// videoTarget is the video's share of a bandwidth estimate: audio keeps
// its share, and video neither stops nor passes the ceiling.
func videoTarget(estimate, ceiling int) int {
	return min(max(estimate-audioShare, bweMin), ceiling)
}

// halfRateBelow is the video target under which half the frames go out,
// each with twice the bits: at 30 fps so few bits make a blur of blocks.
const halfRateBelow = 250_000

// Encode time per frame over the capture interval, smoothed, above which
// the encoder cannot keep up (it would fall behind the camera and crowd
// out the rest of the call), and below which it can again, with room:
// the thresholds of WebRTC's overuse detector.
const (
	overuseLoad  = 0.85
	underuseLoad = 0.42
)

// frameGovernor decides which captured frames are encoded. It is used by
// the one goroutine that encodes.
type frameGovernor struct {
	interval   time.Duration // between captured frames
	load       float64       // encode time per frame over interval, smoothed
	overloaded bool
	odd        bool // the previous frame was kept at half rate
}

// skip tells whether to drop the next captured frame, at the encoder's
// target bitrate.
func (g *frameGovernor) skip(bitrate int) bool {
	if !g.overloaded && bitrate >= halfRateBelow {
		g.odd = false
		return false
	}
	g.odd = !g.odd
	return !g.odd
}

// encoded takes the time a frame took to encode.
func (g *frameGovernor) encoded(took time.Duration) {
	const smoothing = 0.1 // about the last ten frames
	g.load += smoothing * (float64(took)/float64(g.interval) - g.load)
	switch {
	case g.load > overuseLoad:
		g.overloaded = true
	case g.load < underuseLoad:
		g.overloaded = false
	}
}
