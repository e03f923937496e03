package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"

	"parley/protocol"
	"parley/server/cluster"
	"parley/sfu"
)

// mediaGate is what group media asks of the calls engine: whether a
// device may connect to a call's room.
type mediaGate interface {
	MayJoinMedia(user, device, id string) error
}

// groupMedia carries group calls' media: it connects devices to their
// call's SFU room, relays their negotiation, and keeps each room in step
// with its call (who may be in it, who is muted, when it ends) as the
// engine tells of changes.
//
// The engine tells of changes under its lock, so changed only notes them;
// the apply goroutine, owned by groupMedia and ended by close, applies
// them (leaving a room waits for the device's media goroutines). Pending
// changes are kept by call, newest only, so the queue is bounded by the
// live calls.
type groupMedia struct {
	sfu     *sfu.SFU
	devices *registry
	gate    mediaGate
	log     *slog.Logger

	mu      sync.Mutex
	live    map[string]protocol.Call // every live group call, as last told
	pending map[string]protocol.Call // changes not yet applied
	wake    chan struct{}            // one token: pending has something
	done    chan struct{}
	wg      sync.WaitGroup
}

func newGroupMedia(cfg Config, devices *registry, log *slog.Logger) (*groupMedia, error) {
	g := &groupMedia{devices: devices, log: log,
		live: map[string]protocol.Call{}, pending: map[string]protocol.Call{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	var public []string
	if cfg.PublicIP != "" {
		public = []string{cfg.PublicIP}
	}
	var err error
	g.sfu, err = sfu.New(sfu.Config{ListenIP: cfg.MediaIP, MediaPort: cfg.MediaPort, TCPPort: cfg.MediaTCPPort,
		PublicIPs: public, Logger: log, OnSpeaking: g.speaking})
	if err != nil {
		return nil, err
	}
	log.Info("SFU media ports listening", "udp", g.sfu.UDPAddr().String(), "tcp", g.sfu.TCPAddr().String())
	g.wg.Add(1)
	go g.run()
	return g, nil
}

// changed takes the state of a call after an event (calls.Output).
func (g *groupMedia) changed(c protocol.Call) {
	if !c.Group {
		return
	}
	g.mu.Lock()
	if c.State == protocol.CallEnded {
		delete(g.live, c.ID)
	} else {
		g.live[c.ID] = c
	}
	g.pending[c.ID] = c
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *groupMedia) run() {
	defer g.wg.Done()
	for {
		select {
		case <-g.done:
			return
		case <-g.wake:
		}
		g.mu.Lock()
		batch := g.pending
		g.pending = map[string]protocol.Call{}
		g.mu.Unlock()
		for _, c := range batch {
			g.apply(c)
		}
	}
}

// apply brings the call's room, if it has one, in line with c: a device
// no longer joined leaves it (its tracks leave everybody's connection),
// mute and camera-off stop forwarding, and the end of the call ends it.
func (g *groupMedia) apply(c protocol.Call) {
	if c.State == protocol.CallEnded {
		g.sfu.EndRoom(c.ID)
		return
	}
	room := g.sfu.Find(c.ID)
	if room == nil {
		return
	}
	for user, device := range room.Devices() {
		if p := c.Participant(user); p == nil || p.State != protocol.StateJoined || p.Device != device {
			room.Leave(user, device)
		}
	}
	for _, p := range c.Participants {
		if p.State == protocol.StateJoined {
			room.Mute(p.User, p.Muted, p.CameraOff || c.Media == protocol.MediaAudio)
		}
	}
}

// join connects a device to the room of call id, if it is joined in the
// call on that device. A change that raced with it is caught by checking
// again once it is in: the device leaves, and a room made for a call that
// ended meanwhile ends.
func (g *groupMedia) join(user, device, id string) error {
	if err := g.gate.MayJoinMedia(user, device, id); err != nil {
		return err
	}
	room := g.sfu.Room(id)
	if err := room.Join(user, device, deviceSignaler{devices: g.devices, user: user, device: device, callID: id}); err != nil {
		return mediaError(err)
	}
	if err := g.gate.MayJoinMedia(user, device, id); err != nil {
		room.Leave(user, device)
		g.mu.Lock()
		_, live := g.live[id]
		g.mu.Unlock()
		if !live {
			g.sfu.EndRoom(id)
		}
		return err
	}
	return nil
}

// signal passes a device's answer or candidate to its room.
func (g *groupMedia) signal(user, device string, m protocol.MediaSignal) error {
	room := g.sfu.Find(m.CallID)
	if room == nil {
		return mediaError(sfu.ErrNotJoined)
	}
	if m.Kind == protocol.SignalAnswer {
		return mediaError(room.Answer(user, device, m.SDP))
	}
	var c webrtc.ICECandidateInit
	if err := json.Unmarshal(m.Candidate, &c); err != nil {
		return protocol.Errorf(protocol.CodeBadRequest, "candidate: %v", err)
	}
	if c.Candidate == "" {
		return nil // end of candidates: ICE needs no word of it
	}
	return mediaError(room.Candidate(user, device, c))
}

// mediaError turns the SFU's errors into the protocol's.
func mediaError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sfu.ErrNotJoined), errors.Is(err, sfu.ErrRoomEnded), errors.Is(err, sfu.ErrClosed):
		return protocol.Errorf(protocol.CodeNotFound, "no media connection for this call")
	case errors.Is(err, sfu.ErrNoOffer):
		return protocol.Errorf(protocol.CodeConflict, "no offer is waiting for an answer")
	}
	return protocol.Errorf(protocol.CodeBadRequest, "%v", err)
}

// speaking tells a call's joined devices who speaks (sfu.Config.OnSpeaking).
func (g *groupMedia) speaking(id string, users []string) {
	g.mu.Lock()
	c, ok := g.live[id]
	g.mu.Unlock()
	if !ok {
		return
	}
	frame, err := protocol.Encode(protocol.TypeCallSpeaking, "", protocol.CallSpeaking{CallID: id, Users: users})
	if err != nil {
		return
	}
	for _, p := range c.Participants {
		if p.State == protocol.StateJoined {
			g.devices.deliver([]cluster.Target{{User: p.User, Device: p.Device}}, frame)
		}
	}
}

// close stops applying changes and ends every room.
func (g *groupMedia) close() {
	close(g.done)
	g.wg.Wait()
	if err := g.sfu.Close(); err != nil {
		g.log.Warn("closing the SFU", "err", err)
	}
}

// deviceSignaler carries the SFU's offers and candidates to one device,
// on whichever node it is.
// A device that is not connected at the moment misses them, as it misses
// other events; it joins again to start afresh.
type deviceSignaler struct {
	devices              *registry
	user, device, callID string
}

func (d deviceSignaler) Offer(sdp string) {
	d.send(protocol.MediaSignal{CallID: d.callID, Kind: protocol.SignalOffer, SDP: sdp})
}

func (d deviceSignaler) Candidate(c webrtc.ICECandidateInit) {
	raw, err := json.Marshal(c)
	if err != nil {
		return
	}
	d.send(protocol.MediaSignal{CallID: d.callID, Kind: protocol.SignalCandidate, Candidate: raw})
}

func (d deviceSignaler) send(m protocol.MediaSignal) {
	frame, err := protocol.Encode(protocol.TypeMediaSignal, "", m)
	if err != nil {
		return
	}
	d.devices.deliver([]cluster.Target{{User: d.user, Device: d.device}}, frame)
}
