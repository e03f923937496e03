package callcore

import (
	"encoding/json"
	"fmt"
	"image"
	"sync"

	"parley/media"
	"parley/protocol"
)

// peer is the media link to one remote device, or to the server's SFU in a
// group call (user and device empty), with the queue that carries its
// signals to the server in order.
type peer struct {
	p         *Phone
	callID    string
	user      string
	device    string
	session   *media.Session
	signals   chan outgoingSignal
	done      chan struct{}
	wg        sync.WaitGroup // the signal sender
	connected bool           // guarded by p.mu
}

// outgoingSignal is a request that carries negotiation to the server:
// call.signal to a device, or media.signal to the SFU.
type outgoingSignal struct {
	typ     string
	kind    string
	payload any
}

// sfuKey is the key of the SFU's peer among a call's peers.
const sfuKey = "sfu"

func (pr *peer) key() string {
	if pr.user == "" {
		return sfuKey
	}
	return peerKey(pr.user, pr.device)
}

// signalQueue bounds the signals waiting for the server: a call sends a
// handful of descriptions and a few dozen candidates.
const signalQueue = 128

// newPeer makes the media session to user's device in the call, or to the
// SFU when user is empty. It runs without the Phone's lock: media
// callbacks take it.
func (p *Phone) newPeer(call protocol.Call, user, device string) (*peer, error) {
	pr := &peer{p: p, callID: call.ID, user: user, device: device,
		signals: make(chan outgoingSignal, signalQueue), done: make(chan struct{})}
	ice := make([]media.ICEServer, 0, len(p.sig.ICEServers()))
	for _, s := range p.sig.ICEServers() {
		ice = append(ice, media.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	var camera, microphone string
	if p.cfg.Capture != nil {
		camera, microphone = p.cfg.Capture()
	}
	voice := media.AllVoiceProcessing
	if p.cfg.VoiceProcessing != nil {
		voice = p.cfg.VoiceProcessing()
	}
	// Without a renderer media decodes and counts only: turning every
	// frame into a picture nobody shows would cost more than decoding it.
	var onFrame func(string, *image.RGBA)
	if p.cfg.OnFrame != nil {
		onFrame = pr.frame
	}
	s, err := media.New(media.Config{
		ICEServers:      ice,
		RootCAs:         p.sig.RootCAs(),
		RelayOnly:       p.cfg.RelayOnly,
		LoopbackOnly:    p.cfg.LoopbackOnly,
		Video:           call.Media == protocol.MediaVideo,
		Width:           p.cfg.Width,
		Height:          p.cfg.Height,
		FrameRate:       p.cfg.FrameRate,
		TestMedia:       p.cfg.TestMedia,
		VideoFile:       p.cfg.VideoFile,
		AudioFile:       p.cfg.AudioFile,
		Camera:          camera,
		Microphone:      microphone,
		VoiceProcessing: &voice,
		OnFrame:         onFrame,
		OnLocalFrame:    p.cfg.OnLocalFrame,
		OnStats:         pr.stats,
		OnState:         pr.state,
		OnError:         p.failed,
	}, pr)
	if err != nil {
		return nil, err
	}
	pr.session = s
	pr.wg.Add(1)
	go pr.send()
	return pr, nil
}

// SendSignal implements media.Signaler: it queues, and never blocks media.
func (pr *peer) SendSignal(kind, sdp string, candidate json.RawMessage) {
	sig := outgoingSignal{typ: protocol.TypeCallSignal, kind: kind,
		payload: protocol.CallSignal{CallID: pr.callID, To: pr.user, ToDevice: pr.device, Kind: kind, SDP: sdp, Candidate: candidate}}
	if pr.user == "" {
		sig.typ, sig.payload = protocol.TypeMediaSignal, protocol.MediaSignal{CallID: pr.callID, Kind: kind, SDP: sdp, Candidate: candidate}
	}
	select {
	case pr.signals <- sig:
	case <-pr.done:
	default:
		pr.p.failed(fmt.Errorf("signal queue full; %s dropped", kind))
	}
}

// send delivers queued signals one by one, in order.
func (pr *peer) send() {
	defer pr.wg.Done()
	for {
		select {
		case <-pr.done:
			return
		case sig := <-pr.signals:
			if err := pr.p.request(sig.typ, sig.payload, nil); err != nil {
				pr.p.failed(fmt.Errorf("sending %s to %s: %w", sig.kind, pr.remote(), err))
			}
		}
	}
}

// remote names the other end, for messages.
func (pr *peer) remote() string {
	if pr.user == "" {
		return "the server's media (SFU)"
	}
	return pr.user
}

func (pr *peer) close() {
	pr.session.Close()
	close(pr.done)
	pr.wg.Wait()
}

// frame passes on a remote frame of the chosen peer: from the device's
// user in a direct call, from the user that stream is of through the SFU.
func (pr *peer) frame(from string, img *image.RGBA) {
	p := pr.p
	p.mu.Lock()
	chosen := p.chosen == pr
	p.mu.Unlock()
	if !chosen {
		return
	}
	if pr.user != "" {
		from = pr.user
	}
	p.cfg.OnFrame(from, img)
}

func (pr *peer) stats(s media.Stats) {
	p := pr.p
	p.mu.Lock()
	if p.chosen == pr {
		p.emitLocked(Event{Type: EventStats, Stats: s, Call: p.call})
	}
	p.unlockAndFlush()
}

func (pr *peer) state(s media.State) {
	p := pr.p
	p.mu.Lock()
	pr.connected = s == media.StateConnected
	if p.chosen == pr {
		switch s {
		case media.StateConnected:
			p.activeLocked()
		case media.StateFailed:
			p.failedLocked(fmt.Errorf("the media connection to %s failed", pr.remote()))
		}
	}
	p.unlockAndFlush()
}
