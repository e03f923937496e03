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
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"slices"
	"sync"
	"time"

	"parley/client"
	"parley/media"
	"parley/protocol"
)

// State is where this device is in a call.
type State string

// States.
const (
	Idle       State = "idle"
	Outgoing   State = "outgoing"   // we called; it rings on the other side
	Incoming   State = "incoming"   // it rings here
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
}

// Config is the engine's surroundings.
type Config struct {
	// Devices is the permission gate. When nil: GeneratedMedia with
	// TestMedia, otherwise the devices media finds on this machine.
	Devices   Devices
	Attention Attention
	// OnEvent receives every event, in order. It is called from the
	// engine's goroutines and must not block; it may call the Phone.
	OnEvent func(Event)
	// OnFrame receives decoded remote video frames; nil: decoded and
	// counted only.
	OnFrame func(*image.RGBA)
	// OnLocalFrame receives frames of our own camera, for the preview.
	OnLocalFrame func(*image.RGBA)
	// TestMedia uses generated sources instead of the camera and
	// microphone; LoopbackOnly and RelayOnly shape ICE (tests, privacy).
	TestMedia    bool
	LoopbackOnly bool
	// Capture names the camera and the microphone to use, as
	// media.Cameras and media.Microphones list them; asked at each call,
	// so a change of settings applies to the next. Nil or empty names:
	// the system defaults.
	Capture   func() (camera, microphone string)
	RelayOnly bool
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
	chosen     *peer  // the remote device that answered (or that we answered)
	want       string // its peer key, known before its session may exist
	acceptedAt time.Time
	muted      bool
	cameraOff  bool
	last       media.Counters // of the call that ended last
	setup      time.Duration
	stopTick   chan struct{}
	wg         sync.WaitGroup // the countdown goroutine
	closed     bool

	pending []Event
	emitMu  sync.Mutex
}

// New returns an idle Phone. Its owner passes it every event of the
// signaling connection through HandleEvent.
func New(sig Signaling, cfg Config) *Phone {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.Attention == nil {
		cfg.Attention = quietAttention{}
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
		return p.chosen.session.Counters(), p.setupLocked(p.chosen.session.Counters())
	}
	return p.last, p.setup
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
// ring. The permission gate runs first: without a microphone (or, for
// video, a camera) the call is not placed and the error says why.
func (p *Phone) Call(conv, mediaKind string, invitees []string, timeout time.Duration) (protocol.Call, error) {
	if err := p.checkDevices(mediaKind == protocol.MediaVideo); err != nil {
		return protocol.Call{}, err
	}
	p.mu.Lock()
	if p.state != Idle {
		p.mu.Unlock()
		return protocol.Call{}, ErrBusy
	}
	p.state = Outgoing // reserved while the invite is on its way
	p.placing = true
	before := p.call.ID
	p.mu.Unlock()
	var reply protocol.CallReply
	err := p.request(protocol.TypeCallInvite, protocol.CallInvite{Conversation: conv, Media: mediaKind,
		Invitees: invitees, TimeoutMS: timeout.Milliseconds()}, &reply)
	p.mu.Lock()
	defer p.flush()
	defer p.mu.Unlock()
	p.placing = false
	switch {
	case p.call.ID != before:
		// The call's events came first and have taken it from there (it
		// may even be over): the reply's snapshot is older than they are,
		// and a reply that timed out does not undo a call that exists.
		return p.call, nil
	case err != nil:
		p.state = Idle
		return protocol.Call{}, err
	}
	p.placedLocked(reply.Call)
	if reply.Call.State == protocol.CallEnded {
		p.finishLocked(reply.Call)
	}
	return reply.Call, nil
}

// placedLocked makes c, which this device placed, the current call.
func (p *Phone) placedLocked(c protocol.Call) {
	p.call = c
	p.acceptedAt, p.muted, p.cameraOff = time.Time{}, false, false
	p.emitLocked(Event{Type: EventState, State: Outgoing, Call: c})
	if c.State != protocol.CallEnded {
		p.startCountdownLocked(c.DeadlineMS)
	}
}

// placedHere tells whether c is the call this device's pending invite is
// placing: events about it can come before the invite's reply.
func (p *Phone) placedHere(c protocol.Call) bool {
	return p.placing && p.state == Outgoing && c.ID != p.call.ID && c.Caller == p.sig.User() &&
		len(c.Participants) > 0 && c.Participants[0].Device == p.sig.Device()
}

// checkDevices asks the platform for the devices a call needs.
func (p *Phone) checkDevices(video bool) error {
	if err := explain("microphone", p.cfg.Devices.Microphone()); err != nil {
		return err
	}
	if video {
		return explain("camera", p.cfg.Devices.Camera())
	}
	return nil
}

// Accept answers the ringing call; voiceOnly answers a video call with
// voice (the call becomes a voice call for everyone).
func (p *Phone) Accept(voiceOnly bool) error {
	id, err := p.callIn(Incoming)
	if err != nil {
		return err
	}
	// Set-up time counts from the person's accept, before the round trip.
	accepted := time.Now()
	var reply protocol.CallReply
	if err := p.request(protocol.TypeCallAccept, protocol.CallRef{CallID: id}, &reply); err != nil {
		return err
	}
	if voiceOnly && reply.Call.Media == protocol.MediaVideo {
		if err := p.request(protocol.TypeCallSwitchAudio, protocol.CallRef{CallID: id}, &reply); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.flush()
	defer p.mu.Unlock()
	if p.call.ID != id || p.state != Incoming {
		return ErrNoCall // ended meanwhile
	}
	p.updateLocked(reply.Call)
	p.acceptedAt = accepted
	p.stopCountdownLocked()
	p.cfg.Attention.Ringtone(false)
	// Our own device answered: the peer is the caller's device.
	caller := reply.Call.Participants[0]
	p.want = peerKey(caller.User, caller.Device)
	p.chosen = p.peers[p.want]
	p.connectLocked()
	return nil
}

// connectLocked starts media to the chosen peer and moves to connecting,
// or straight to active when ICE and DTLS finished during ringing.
func (p *Phone) connectLocked() {
	if p.state != Connecting {
		p.state = Connecting
		p.emitLocked(Event{Type: EventState, State: Connecting, Call: p.call})
	}
	if p.call.Group {
		// A group call's media comes with the SFU; signaling is all.
		p.activeLocked()
		return
	}
	if p.chosen == nil {
		return // adopt connects when the peer's session exists
	}
	if p.call.Media == protocol.MediaAudio {
		p.chosen.session.SwitchToAudio()
	}
	p.chosen.session.Mute(p.muted)
	if err := p.chosen.session.SetSending(true); err != nil {
		p.emitLocked(Event{Type: EventError, Err: err})
	}
	if p.chosen.connected {
		p.activeLocked()
	}
}

func (p *Phone) activeLocked() {
	if p.state != Connecting {
		return
	}
	p.state = Active
	p.emitLocked(Event{Type: EventState, State: Active, Call: p.call})
}

// Decline refuses the ringing call on every device of ours.
func (p *Phone) Decline() error { return p.decline(protocol.ReasonDeclined) }

func (p *Phone) decline(reason string) error {
	id, err := p.callIn(Incoming)
	if err != nil {
		return err
	}
	return p.leave(protocol.TypeCallDecline, protocol.CallDecline{CallID: id, Reason: reason}, id, protocol.OutcomeDeclined)
}

// Hangup ends our part in the call: a cancel while it rings on the other
// side, a decline while it rings here, a hang up otherwise.
func (p *Phone) Hangup() error {
	p.mu.Lock()
	state, id := p.state, p.call.ID
	p.mu.Unlock()
	switch state {
	case Idle, Ended:
		return ErrNoCall
	case Incoming:
		return p.Decline()
	case Outgoing:
		return p.leave(protocol.TypeCallCancel, protocol.CallRef{CallID: id}, id, protocol.OutcomeCancelled)
	}
	return p.leave(protocol.TypeCallHangup, protocol.CallRef{CallID: id}, id, protocol.OutcomeCompleted)
}

// leave sends typ, a request that ends our part in call id, and ends the
// call here: as the reply has it, or with outcome when it goes on without
// us (a group call). A call the server no longer has us in (not_found: it
// ended, or a restarted server forgot it; conflict: we are out of it)
// counts as left, as protocol.md says: there may be no end event to wait
// for.
func (p *Phone) leave(typ string, req any, id, outcome string) error {
	var reply protocol.CallReply
	err := p.request(typ, req, &reply)
	var pe *protocol.Error
	gone := errors.As(err, &pe) && (pe.Code == protocol.CodeNotFound || pe.Code == protocol.CodeConflict)
	if err != nil && !gone {
		return err
	}
	p.mu.Lock()
	if p.call.ID == id && p.inCallLocked() {
		if !gone {
			p.call = reply.Call
		}
		if p.call.State == protocol.CallEnded {
			p.finishLocked(p.call)
		} else {
			p.endedLocked(outcome)
		}
	}
	p.mu.Unlock()
	p.flush()
	return nil
}

// SetMuted stops or resumes sending our voice and tells the others.
func (p *Phone) SetMuted(muted bool) error {
	return p.mediaState(func() {
		p.muted = muted
		if p.chosen != nil {
			p.chosen.session.Mute(muted)
		}
	})
}

// SetCameraOff turns our camera off or on and tells the others.
func (p *Phone) SetCameraOff(off bool) error {
	return p.mediaState(func() {
		p.cameraOff = off
		if p.chosen != nil {
			if err := p.chosen.session.SetCameraOff(off); err != nil {
				p.emitLocked(Event{Type: EventError, Err: err})
			}
		}
	})
}

func (p *Phone) mediaState(apply func()) error {
	p.mu.Lock()
	if p.state != Connecting && p.state != Active {
		p.mu.Unlock()
		return ErrNoCall
	}
	apply()
	req := protocol.CallMediaState{CallID: p.call.ID, Muted: p.muted, CameraOff: p.cameraOff}
	p.mu.Unlock()
	p.flush()
	return p.request(protocol.TypeCallMediaState, req, nil)
}

// SwitchToAudio turns the video call into a voice call for everyone.
func (p *Phone) SwitchToAudio() error {
	id, err := p.callIn(Outgoing, Incoming, Connecting, Active)
	if err != nil {
		return err
	}
	var reply protocol.CallReply
	if err := p.request(protocol.TypeCallSwitchAudio, protocol.CallRef{CallID: id}, &reply); err != nil {
		return err
	}
	p.mu.Lock()
	if p.call.ID == id {
		p.switchedLocked(reply.Call)
	}
	p.mu.Unlock()
	p.flush()
	return nil
}

func (p *Phone) switchedLocked(c protocol.Call) {
	p.updateLocked(c)
	for _, pr := range p.peers {
		pr.session.SwitchToAudio()
	}
}

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

func (p *Phone) updateLocked(c protocol.Call) {
	if c.ID == p.call.ID {
		p.call = c
	}
}

// inCallLocked tells whether p.call is a call this device is in: not idle,
// and not a call still being placed or joined, which its request settles.
func (p *Phone) inCallLocked() bool {
	return p.state != Idle && !p.placing && p.joining == ""
}

// endedLocked ends the current call with outcome, as it stands but for
// that: for calls that end here without the server's word on their end.
func (p *Phone) endedLocked(outcome string) {
	c := p.call
	c.State, c.Outcome = protocol.CallEnded, outcome
	p.finishLocked(c)
}

// finishLocked ends the call for this device and returns to idle.
func (p *Phone) finishLocked(c protocol.Call) {
	if p.state == Idle {
		return
	}
	p.stopCountdownLocked()
	p.cfg.Attention.Ringtone(false)
	if p.chosen != nil {
		p.last = p.chosen.session.Counters()
		p.setup = p.setupLocked(p.last)
	} else {
		p.last, p.setup = media.Counters{}, 0
	}
	p.closeLater(p.takePeersLocked())
	p.call = c
	p.state = Ended
	p.emitLocked(Event{Type: EventState, State: Ended, Call: c, Outcome: c.Outcome})
	p.state = Idle
	p.emitLocked(Event{Type: EventState, State: Idle})
}

func (p *Phone) takePeersLocked() []*peer {
	out := make([]*peer, 0, len(p.peers))
	for k, pr := range p.peers {
		out = append(out, pr)
		delete(p.peers, k)
	}
	p.chosen, p.want = nil, ""
	return out
}

func closePeers(peers []*peer) {
	for _, pr := range peers {
		pr.close()
	}
}

// explain turns a device answer into an error a person can act on.
func explain(device string, perm Permission) error {
	switch perm {
	case Granted:
		return nil
	case Denied:
		return fmt.Errorf("%w: Parley may not use the %s; allow it in your system's privacy settings", ErrPermission, device)
	default:
		return fmt.Errorf("%w: no %s found; connect one and try again", ErrNoDevice, device)
	}
}

// decodeEvent unmarshals an event's payload, reporting a broken one.
func (p *Phone) decodeEvent(ev client.Event, v any) bool {
	if err := json.Unmarshal(ev.Payload, v); err != nil {
		p.mu.Lock()
		p.emitLocked(Event{Type: EventError, Err: fmt.Errorf("bad %s from the server: %w", ev.Type, err)})
		p.mu.Unlock()
		p.flush()
		return false
	}
	return true
}
