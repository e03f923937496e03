// Package callcore is the call engine of Parley's clients, shared by the
// desktop app and parley-cli. It follows the server's decisions about a
// call, runs the media, asks for permission before using a device, counts
// the invite down, and tells its owner (a UI, or the CLI's printer) what
// happened through events. It knows nothing of Fyne.
//
// Media negotiation: the invitee's device offers as soon as it rings, to
// the caller's device; both run ICE and DTLS while the phone rings, and
// media starts the moment the call is accepted (Tencent TRTC's "instant
// open"). Neither side sends media before the accept.
package callcore

import (
	"context"
	"crypto/x509"
	"errors"
	"image"
	"slices"
	"sync"
	"time"

	"parley/media"
	"parley/protocol"
)

// State is where this device is in a call.
type State string

// States.
const (
	Idle       State = "idle"
	Outgoing   State = "outgoing"   // we called; it rings on the other side
	Incoming   State = "incoming"   // it rings here; the owner draws the person's attention
	Connecting State = "connecting" // accepted; media is connecting
	Active     State = "active"     // media flows
	Ended      State = "ended"      // over; Outcome says how. Idle follows.
)

// Signaling is the server connection; *client.Client implements it.
type Signaling interface {
	Request(ctx context.Context, typ string, payload, reply any) error
	// TimeLeft is how long until a deadline on the server's clock, erring
	// early.
	TimeLeft(deadlineMS int64) time.Duration
	User() string
	Device() string
	ICEServers() []protocol.ICEServer
	// RootCAs are the authorities TURN servers over TLS may be signed by;
	// nil: the system's.
	RootCAs() *x509.CertPool
}

// Config is the engine's surroundings.
type Config struct {
	// Devices is the permission gate. When nil: GeneratedMedia with
	// TestMedia, otherwise the devices media finds on this machine.
	Devices Devices
	// Ringer rings while a call rings here; nil rings nothing.
	Ringer Ringer
	// OnEvent receives every event, in order. It is called from the
	// engine's goroutines, off its lock, and must not block; it may call
	// the Phone.
	OnEvent func(Event)
	// OnFrame receives decoded remote video frames, with the user whose
	// camera they are from (in a group call, one of several); nil: decoded
	// and counted only.
	OnFrame func(user string, img *image.RGBA)
	// OnLocalFrame receives frames of our own camera, for the preview.
	OnLocalFrame func(*image.RGBA)
	// TestMedia uses generated sources instead of the camera and
	// microphone; LoopbackOnly and RelayOnly shape ICE (tests, privacy).
	TestMedia    bool
	LoopbackOnly bool
	// VideoFile and AudioFile play files instead of the camera and the
	// microphone (media.Config's).
	VideoFile, AudioFile string
	// Width, Height and FrameRate of the video we send; media's defaults
	// (640x480@30) when zero.
	Width, Height, FrameRate int
	// Capture names the camera and the microphone to use, as
	// media.Cameras and media.Microphones list them; asked at each call,
	// so a change of settings applies to the next. Nil or empty names:
	// the system defaults.
	Capture func() (camera, microphone string)
	// VoiceProcessing says which of echo cancellation, noise suppression
	// and automatic gain clean our voice, asked at each call; nil: all.
	VoiceProcessing func() media.VoiceProcessing
	RelayOnly       bool
	// RequestTimeout bounds each request to the server; default 10s.
	RequestTimeout time.Duration
}

// Phone is the call engine of one signed-in device. It handles one call at
// a time; the server answers "busy" for it while it is in one.
type Phone struct {
	sig Signaling
	cfg Config

	mu         sync.Mutex
	state      State
	call       protocol.Call // the current call, as the server last said
	placing    bool          // our call.invite awaits its reply
	joining    string        // the call our call.join awaits the reply for
	restating  string        // the call a reconnect awaits the server's restatement of
	peers      map[string]*peer
	chosen     *peer  // the remote device that answered (or that we answered); the SFU in a group call
	want       string // its peer key, known before its session may exist
	mediaJoin  string // the group call whose SFU connection is being made
	acceptedAt time.Time
	muted      bool
	cameraOff  bool
	carried    media.Counters // of the current call's SFU sessions that were replaced
	last       media.Counters // of the call that ended last
	setup      time.Duration
	stopTick   chan struct{}
	wg         sync.WaitGroup // the countdown and the closers of media sessions
	closed     bool

	// pending holds what flush delivers once the lock is released: calls
	// of OnEvent and of the Ringer, in the order they were decided.
	pending []func()
	emitMu  sync.Mutex
}

// New returns an idle Phone. Its owner passes it every event of the
// signaling connection through HandleEvent.
func New(sig Signaling, cfg Config) *Phone {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.Ringer == nil {
		cfg.Ringer = silentRinger{}
	}
	if cfg.Devices == nil && cfg.TestMedia {
		cfg.Devices = GeneratedMedia{}
	} else if cfg.Devices == nil {
		cfg.Devices = presentDevices{}
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	return &Phone{sig: sig, cfg: cfg, state: Idle, peers: make(map[string]*peer)}
}

// Errors a person can act on.
var (
	ErrBusy   = errors.New("already in a call")
	ErrNoCall = errors.New("no call to act on")
)

// State returns the engine's state and the current call.
func (p *Phone) State() (State, protocol.Call) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state, p.call
}

// Counters returns the media counted in the current call, or in the last
// one once it ended, and the time from accept to the first remote media.
func (p *Phone) Counters() (media.Counters, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chosen != nil {
		c := p.countersLocked()
		return c, p.setupLocked(c)
	}
	return p.last, p.setup
}

// countersLocked is what the current call's media counted: the chosen
// session's, plus those of SFU sessions it replaced. Senders are users:
// through the SFU by stream id, in a direct call the peer's.
func (p *Phone) countersLocked() media.Counters {
	c := p.carried.Plus(p.chosen.session.Counters())
	if p.chosen.user != "" {
		c = c.From(p.chosen.user)
	}
	return c
}

// setupLocked is accept → first decoded remote video frame, or first
// audio packet in a voice call; zero until media came.
func (p *Phone) setupLocked(c media.Counters) time.Duration {
	first := c.FirstAudioPacket
	if p.call.Media == protocol.MediaVideo && !c.FirstVideoFrame.IsZero() {
		first = c.FirstVideoFrame
	}
	if p.call.Media == protocol.MediaVideo && c.FirstVideoFrame.IsZero() {
		first = time.Time{}
	}
	if first.IsZero() || p.acceptedAt.IsZero() {
		return 0
	}
	if first.Before(p.acceptedAt) {
		return 0
	}
	return first.Sub(p.acceptedAt)
}

func (p *Phone) request(typ string, payload, reply any) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.RequestTimeout)
	defer cancel()
	return p.sig.Request(ctx, typ, payload, reply)
}

// Call places a call in conv. In a group, invitees are the members to

// Close ends media and the countdown. It does not hang up: the owner does
// that first if it wants the call to end.
func (p *Phone) Close() {
	p.mu.Lock()
	p.closed = true
	p.stopCountdownLocked()
	peers := p.takePeersLocked()
	p.mu.Unlock()
	closePeers(peers)
	p.wg.Wait()
}

// callIn returns the current call's id if the engine is in one of states.
func (p *Phone) callIn(states ...State) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(states, p.state) {
		return "", ErrNoCall
	}
	return p.call.ID, nil
}

func peerKey(user, device string) string { return user + "/" + device }
