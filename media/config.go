package media

import (
	"crypto/x509"
	"errors"
	"image"

	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/transport/v5"
)

// Errors a person can act on.
var (
	ErrNoCamera     = errors.New("no camera found")
	ErrNoMicrophone = errors.New("no microphone found")
	ErrClosed       = errors.New("media session closed")
)

// ICEServer is a STUN or TURN server, as handed out at login.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// Config configures a Session.
type Config struct {
	ICEServers []ICEServer
	// RootCAs are the authorities a turns: server's certificate may be
	// signed by, as for the server itself (client.Options); nil: the
	// system's.
	RootCAs *x509.CertPool
	// RelayOnly makes ICE use TURN relays only, which hides the device's
	// addresses from the peer.
	RelayOnly bool
	// LoopbackOnly gathers host candidates on the loopback interface only:
	// for tests and benchmarks, whose traffic must stay on this host.
	LoopbackOnly bool

	// Video makes this a video call; otherwise only audio is negotiated.
	Video bool
	// TestMedia captures from generated test sources instead of the camera
	// and microphone. It is never a fallback for missing devices.
	TestMedia bool
	// VideoFile and AudioFile name a Y4M video (4:2:0) and a WAV sound
	// (16-bit mono, 48 kHz) to send instead of the camera's and the
	// microphone's, looped; the video at its own size, at FrameRate.
	VideoFile, AudioFile string
	// Camera and Microphone name the devices to capture from, as Cameras
	// and Microphones list them; empty: the system default. A name no
	// device has gets the default, and OnError hears why.
	Camera     string
	Microphone string
	// Width, Height and FrameRate of captured video; 640x480@30 when zero.
	Width, Height int
	FrameRate     int
	// VoiceProcessing cleans the microphone's sound before it is sent:
	// echo cancellation, noise suppression, automatic gain. Nil: none.
	VoiceProcessing *VoiceProcessing
	// MaxVideoBitrate caps the bandwidth estimate given to the VP8 encoder,
	// in bits per second; 1.5 Mb/s when zero.
	MaxVideoBitrate int

	// OnFrame receives the decoded remote video frames when set, with the
	// stream id of their track: through the SFU, the user whose camera it
	// is (one of several); the image is the receiver's to keep. It runs on a goroutine of its own, which
	// gets the newest picture: while it is busy, newer ones replace the
	// one waiting, so a slow OnFrame skips pictures but never holds up
	// decoding. When nil, frames are decoded and counted only.
	OnFrame func(from string, img *image.RGBA)
	// OnLocalFrame receives frames of our own camera for a preview, up to
	// 15 a second, while the camera is open; the image is the receiver's.
	OnLocalFrame func(*image.RGBA)
	// OnStats receives Stats every StatsInterval.
	OnStats func(Stats)
	// OnState receives the connection's state changes.
	OnState func(State)
	// OnError receives failures that happen after setup, such as a capture
	// device that stopped or panicked; the call goes on without it.
	OnError func(error)

	// net replaces the network stack, for tests that cut a path.
	net transport.Net
	// wrapEstimator stands between the bandwidth estimator and its users,
	// for tests that drive the estimate.
	wrapEstimator func(cc.BandwidthEstimator) cc.BandwidthEstimator
}

func (c *Config) setDefaults() {
	if c.Width == 0 || c.Height == 0 {
		c.Width, c.Height = 640, 480
	}
	if c.FrameRate == 0 {
		c.FrameRate = 30
	}
	if c.MaxVideoBitrate == 0 {
		c.MaxVideoBitrate = 1_500_000
	}
}

// State is the connection state of a Session, as WebRTC names it.
type State string

// States.
const (
	StateNew          State = "new"
	StateConnecting   State = "connecting"
	StateConnected    State = "connected"
	StateDisconnected State = "disconnected"
	StateFailed       State = "failed"
	StateClosed       State = "closed"
)
