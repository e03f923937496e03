package media

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor/pkg/cc"
	"github.com/pion/mediadevices/pkg/codec"
	"github.com/pion/webrtc/v4"
)

// Signaler carries this side's negotiation to the peer: kind is "offer",
// "answer" or "candidate" (protocol.Signal*), with sdp for the first two
// and candidate, an RTCIceCandidateInit, for the last. It is called in
// order, from Session's methods and from Pion's goroutines, and must not
// block for long: it should queue the message for the signaling
// connection.
type Signaler interface {
	SendSignal(kind, sdp string, candidate json.RawMessage)
}

// Signal kinds, the same as protocol's.
const (
	SignalOffer     = "offer"
	SignalAnswer    = "answer"
	SignalCandidate = "candidate"
)

// maxPendingCandidates bounds the remote candidates held until the remote
// description comes; a browser sends a dozen or so.
const maxPendingCandidates = 64

// Session is this device's media connection in a call: to the one remote
// device of a direct call, or to the server's SFU in a group call, which
// brings every other participant's tracks (stream id: their user).
//
// The caller creates a Session and calls Start, which sends the offer; the
// callee creates one when the offer comes and passes it to HandleSignal,
// which answers. With the SFU, which makes every offer, the device is
// always the one that answers. Nothing is sent until SetSending(true), so the two can
// connect while the callee's phone still rings and start media the moment
// it is accepted.
type Session struct {
	cfg      Config
	sig      Signaler
	pc       *webrtc.PeerConnection
	audio    *sender
	video    *sender // nil in an audio call
	counters counters
	mixer    mixer
	level    atomic.Uint32 // of the microphone's latest chunk, in -dBov
	voice    *voicePath    // the send path's processing; nil: none
	videoOff atomic.Bool   // switched to audio: no video either way
	done     chan struct{}
	// statsDone closes when the stats goroutine has returned: Pion's
	// GetStats races with PeerConnection.Close, so Close waits for it
	// (and nothing else closes the PeerConnection: see newAPI).
	statsDone chan struct{}
	wg        sync.WaitGroup // every goroutine the Session starts

	negMu sync.Mutex // one negotiation step at a time
	sigMu sync.Mutex // keeps outgoing signals in order

	mu            sync.Mutex
	closed        bool
	conn          State
	stats         Stats
	remoteSet     bool
	pendingRemote []webrtc.ICECandidateInit
	localSent     bool // our description went out; candidates may follow
	pendingLocal  []json.RawMessage
	offerer       bool        // Start made the first offer
	restartTimer  *time.Timer // the next ICE restart, when one is due
	capturing     bool        // devices are to be open
	sending       bool
	muted         bool
	cameraOff     bool
}

// New prepares a Session; it opens no device. sig receives this side's
// signals.
func New(cfg Config, sig Signaler) (*Session, error) {
	cfg.setDefaults()
	s := &Session{cfg: cfg, sig: sig, done: make(chan struct{}), statsDone: make(chan struct{}), conn: StateNew}
	s.level.Store(silentLevel)
	var err error
	if s.voice, err = newVoicePath(cfg.VoiceProcessing); err != nil {
		return nil, fmt.Errorf("media: voice processing: %w", err)
	}
	var estimator cc.BandwidthEstimator
	api, err := newAPI(&s.cfg, func(e cc.BandwidthEstimator) { estimator = e }, &s.level)
	if err != nil {
		s.voice.close()
		return nil, err
	}
	policy := webrtc.ICETransportPolicyAll
	if cfg.RelayOnly {
		policy = webrtc.ICETransportPolicyRelay
	}
	s.pc, err = api.NewPeerConnection(webrtc.Configuration{ICEServers: iceServers(&cfg), ICETransportPolicy: policy})
	if err != nil {
		return nil, err
	}
	if s.audio, err = s.newSender("audio", webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: opusRate, Channels: 2}, s.openAudio); err != nil {
		s.pc.Close()
		return nil, err
	}
	s.audio.frameDur, s.audio.sent = 20*time.Millisecond, &s.counters.audioSent
	if cfg.Video {
		if s.video, err = s.newSender("video", webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, s.openVideo); err != nil {
			s.pc.Close()
			return nil, err
		}
		s.video.sent, s.video.bitrate = &s.counters.videoSent, videoStartBitrate
		if estimator != nil {
			estimator.OnTargetBitrateChange(func(bps int) {
				s.video.setBitrate(videoTarget(bps, s.cfg.MaxVideoBitrate))
			})
		}
	}
	s.pc.OnICECandidate(s.onLocalCandidate)
	s.pc.OnConnectionStateChange(s.onConnState)
	s.pc.OnICEConnectionStateChange(s.onICEState)
	s.pc.OnTrack(s.onTrack)
	for _, snd := range []*sender{s.audio, s.video} {
		if snd != nil {
			s.wg.Add(1)
			go func() { defer s.wg.Done(); snd.readRTCP() }()
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.statsDone)
		s.statsLoop()
	}()
	return s, nil
}

func (s *Session) newSender(kind string, c webrtc.RTPCodecCapability, open func(*atomic.Bool) (device, codec.ReadCloser, error)) (*sender, error) {
	track, err := webrtc.NewTrackLocalStaticSample(c, kind, "parley")
	if err != nil {
		return nil, err
	}
	tr, err := s.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv})
	if err != nil {
		return nil, err
	}
	return &sender{kind: kind, track: track, rtp: tr.Sender(), open: open, onErr: s.reportError}, nil
}

func (s *Session) openAudio(gate *atomic.Bool) (device, codec.ReadCloser, error) {
	src, err := openAudio(&s.cfg)
	if err != nil {
		return nil, nil, err
	}
	enc, err := opusBuilder{}.BuildAudioEncoder(gateAudio(meterAudio(s.voice.capture(src.r), &s.level, s.voice.speaking), gate), src.p)
	if err != nil {
		src.dev.Close()
		return nil, nil, err
	}
	return src.dev, enc, nil
}

func (s *Session) openVideo(gate *atomic.Bool) (device, codec.ReadCloser, error) {
	src, err := openVideo(&s.cfg)
	if err != nil {
		return nil, nil, err
	}
	enc, err := vp8Builder{bitrate: videoStartBitrate, fps: s.cfg.FrameRate}.BuildVideoEncoder(gateVideo(previewVideo(src.r, s.cfg.OnLocalFrame), gate), src.p)
	if err != nil {
		src.dev.Close()
		return nil, nil, err
	}
	return src.dev, enc, nil
}

func (s *Session) onTrack(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	receive := s.receiveAudio
	if track.Kind() == webrtc.RTPCodecTypeVideo {
		receive = s.receiveVideo
		if s.video == nil {
			receive = s.drain // an audio call does not expect video
		}
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); receive(track) }()
}

func (s *Session) onConnState(pcs webrtc.PeerConnectionState) {
	publish(s, &s.conn, State(pcs.String()), s.cfg.OnState)
}

// publish stores v in the field of s that a getter reads, then hands it
// to the callback, if there is one, outside the lock: a callback may call
// back into the Session.
func publish[T any](s *Session, field *T, v T, callback func(T)) {
	s.mu.Lock()
	*field = v
	s.mu.Unlock()
	if callback != nil {
		callback(v)
	}
}

func (s *Session) state() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn
}

func (s *Session) reportError(err error) {
	if s.cfg.OnError != nil {
		s.cfg.OnError(err)
	}
}

// Prepare opens the capture devices without sending anything, so that
// they are warm when SetSending(true) comes: the caller does it when it
// places the call. A callee that does it while ringing lights its camera
// before the person accepts, so it normally leaves it to SetSending.
func (s *Session) Prepare() error {
	return s.apply(func() { s.capturing = true })
}

// SetSending starts or stops sending media, opening the devices first if
// need be. The engine turns it on when the call is accepted. An error
// (ErrNoMicrophone, ErrNoCamera) leaves whatever could be opened sending.
func (s *Session) SetSending(on bool) error {
	return s.apply(func() {
		s.sending = on
		s.capturing = s.capturing || on
	})
}

// Mute stops (or resumes) sending audio; the microphone stays open so that
// unmuting is instant, but no packet leaves.
func (s *Session) Mute(muted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.muted = muted
	s.applyLocked()
}

// SetCameraOff stops (or resumes) sending video and closes the camera, so
// that its light goes off.
func (s *Session) SetCameraOff(off bool) error {
	return s.apply(func() { s.cameraOff = off })
}

// SwitchToAudio ends video for the rest of the call, both ways: the camera
// closes and remote video is no longer decoded or asked for. Both sides
// call it when the switch is announced.
func (s *Session) SwitchToAudio() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.videoOff.Store(true)
	s.applyLocked()
}

// apply changes the flags with set, unless the Session is closed, and
// brings devices and gates in line with them.
func (s *Session) apply(set func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	set()
	return s.applyLocked()
}

// applyLocked brings devices and gates in line with the flags, and
// returns the errors of devices that would not open.
func (s *Session) applyLocked() error {
	if s.closed {
		return nil
	}
	var errs []error
	if s.capturing {
		if err := s.audio.start(); err != nil {
			errs = append(errs, err)
		}
	}
	s.audio.setSending(s.sending && !s.muted)
	if s.video != nil {
		wantVideo := s.capturing && !s.cameraOff && !s.videoOff.Load()
		if !wantVideo {
			s.video.setSending(false)
			s.video.stop()
		} else {
			if err := s.video.start(); err != nil {
				errs = append(errs, err)
			}
			s.video.setSending(s.sending)
		}
	}
	return errors.Join(errs...)
}

// Counters returns the media counted so far.
func (s *Session) Counters() Counters { return s.counters.snapshot() }

// Stats returns the last Stats reported (zero before the first interval).
func (s *Session) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ReadAudio fills pcm with received audio, 48 kHz mono, oldest first, and
// silence where there is none: every sender's voice, mixed. It returns how
// many samples were real. The playback device's callback calls it at its
// own pace.
func (s *Session) ReadAudio(pcm []int16) int {
	n := s.mixer.read(pcm)
	s.voice.played(pcm) // the echo canceller's far end: all that is played
	return n
}

// Close ends the call's media: devices close, the PeerConnection closes,
// and every goroutine of the Session has returned when Close does.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.stopRestartLocked()
	s.mu.Unlock()
	// A restart under way finishes its step before the PeerConnection
	// closes; later ones see closed.
	s.negMu.Lock()
	s.negMu.Unlock()
	s.audio.stop()
	if s.video != nil {
		s.video.stop()
	}
	<-s.statsDone
	err := s.pc.Close()
	s.wg.Wait()
	s.voice.close() // the capture, its one user, has stopped
	if err != nil {
		return fmt.Errorf("media: close: %w", err)
	}
	return nil
}
