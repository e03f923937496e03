package sfu

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// waitTimeout is generous: the tests share a loaded machine, under -race.
const waitTimeout = 20 * time.Second

// Audio levels the test clients send, in -dBov.
const (
	levelLoud  = 10
	levelQuiet = 110
)

// testClient is a device: a Pion PeerConnection on loopback that sends
// synthetic Opus and VP8 packets every 20 ms and counts what it receives.
type testClient struct {
	t       *testing.T
	user    string
	device  string
	room    *Room
	pc      *webrtc.PeerConnection
	audio   *webrtc.TrackLocalStaticRTP
	video   *webrtc.TrackLocalStaticRTP
	senders [kindCount]*webrtc.RTPSender

	signals chan clientSignal // from the room: the Signaler's queue
	stop    chan struct{}
	wg      sync.WaitGroup
	level   atomic.Uint32 // audio level to send

	mu       sync.Mutex
	closed   bool
	received map[string]*receivedTrack // by track id
	plis     int
	rembs    []float32
}

type receivedTrack struct {
	streamID string
	ssrc     uint32
	packets  int
	seqCount map[uint16]int // how often each sequence number came
}

type clientSignal struct {
	offer     string
	candidate *webrtc.ICECandidateInit
}

// clientSignaler is the Signaler a test room gets: it queues for the
// client's goroutine, as the server queues for a websocket.
type clientSignaler struct{ c *testClient }

func (s clientSignaler) Offer(sdp string) { s.c.queue(clientSignal{offer: sdp}) }

func (s clientSignaler) Candidate(c webrtc.ICECandidateInit) { s.c.queue(clientSignal{candidate: &c}) }

func (c *testClient) queue(sig clientSignal) {
	select {
	case c.signals <- sig:
	case <-c.stop:
	}
}

func clientAPI(t *testing.T) *webrtc.API {
	t.Helper()
	m := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "goog-remb"}}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb},
		PayloadType:        ptVP8,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
		PayloadType:        ptOpus,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	// The NACK test asks for a packet it already has; replay protection
	// would drop the resend.
	se.DisableSRTPReplayProtection(true)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
}

// joinClient makes a client for user and joins it to the room.
func joinClient(t *testing.T, room *Room, user string) *testClient {
	t.Helper()
	c := newClient(t, room, user, user+"-phone")
	if err := room.Join(c.user, c.device, clientSignaler{c}); err != nil {
		t.Fatalf("join %s: %v", user, err)
	}
	return c
}

func newClient(t *testing.T, room *Room, user, device string) *testClient {
	t.Helper()
	pc, err := clientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &testClient{
		t: t, user: user, device: device, room: room, pc: pc,
		signals:  make(chan clientSignal, 256),
		stop:     make(chan struct{}),
		received: map[string]*receivedTrack{},
	}
	c.level.Store(levelQuiet)
	c.audio, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", user)
	c.video, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "camera", user)
	for kind, track := range []*webrtc.TrackLocalStaticRTP{audioKind: c.audio, videoKind: c.video} {
		if c.senders[kind], err = pc.AddTrack(track); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil {
			_ = room.Candidate(user, device, cand.ToJSON())
		}
	})
	pc.OnTrack(c.receive)
	c.wg.Add(4)
	go c.handleSignals()
	go c.sendMedia()
	go c.readSenderRTCP(c.senders[audioKind])
	go c.readSenderRTCP(c.senders[videoKind])
	t.Cleanup(c.close)
	return c
}

// handleSignals answers the room's offers and adds its candidates, in order.
func (c *testClient) handleSignals() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case sig := <-c.signals:
			if sig.candidate != nil {
				if err := c.pc.AddICECandidate(*sig.candidate); err != nil {
					c.t.Logf("%s: candidate: %v", c.user, err)
				}
				continue
			}
			if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sig.offer}); err != nil {
				if !c.stopping() { // else the test is over and closing the connection
					c.t.Errorf("%s: offer: %v", c.user, err)
				}
				continue
			}
			answer, err := c.pc.CreateAnswer(nil)
			if err == nil {
				err = c.pc.SetLocalDescription(answer)
			}
			if err == nil {
				err = c.room.Answer(c.user, c.device, answer.SDP)
			}
			if err != nil {
				c.t.Logf("%s: answer: %v", c.user, err)
			}
		}
	}
}

// sendMedia sends an Opus-like and a VP8-like packet every 20 ms; every
// tenth video packet is a key frame.
func (c *testClient) sendMedia() {
	defer c.wg.Done()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var seq uint16
	for i := 0; ; i++ {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		seq++
		audio := &rtp.Packet{
			Header:  rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(i) * 960},
			Payload: []byte{0xfc, 0xff, 0xfe},
		}
		if id := c.extensionID(audioLevelURI); id != 0 {
			_ = audio.Header.SetExtension(id, []byte{0x80 | byte(c.level.Load())})
		}
		_ = c.audio.WriteRTP(audio)
		vp8 := []byte{0x10, 0x01, 0x00, 0x00} // start of partition; P=1: an inter frame
		if i%10 == 0 {
			vp8[1] = 0x00 // P=0: a key frame
		}
		_ = c.video.WriteRTP(&rtp.Packet{
			Header:  rtp.Header{Version: 2, Marker: true, SequenceNumber: seq, Timestamp: uint32(i) * 1800},
			Payload: vp8,
		})
	}
}

func (c *testClient) extensionID(uri string) uint8 {
	for _, ext := range c.senders[audioKind].GetParameters().HeaderExtensions {
		if ext.URI == uri {
			return uint8(ext.ID)
		}
	}
	return 0
}

// receive counts the packets of a forwarded track; it runs on the
// goroutine Pion starts for OnTrack.
func (c *testClient) receive(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	rt := &receivedTrack{streamID: track.StreamID(), ssrc: uint32(track.SSRC()), seqCount: map[uint16]int{}}
	c.received[track.ID()] = rt
	c.mu.Unlock()
	defer c.wg.Done()
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			if isClosedErr(err) {
				return
			}
			continue
		}
		c.mu.Lock()
		rt.packets++
		rt.seqCount[pkt.SequenceNumber]++
		c.mu.Unlock()
	}
}

// readSenderRTCP counts the PLIs and REMBs the SFU sends this publisher.
func (c *testClient) readSenderRTCP(sender *webrtc.RTPSender) {
	defer c.wg.Done()
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			if isClosedErr(err) {
				return
			}
			continue
		}
		c.mu.Lock()
		for _, pkt := range pkts {
			switch pkt := pkt.(type) {
			case *rtcp.PictureLossIndication:
				c.plis++
			case *rtcp.ReceiverEstimatedMaximumBitrate:
				c.rembs = append(c.rembs, pkt.Bitrate)
			}
		}
		c.mu.Unlock()
	}
}

// packets is how many packets of the track came; -1 if it never did.
func (c *testClient) packets(trackID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rt := c.received[trackID]; rt != nil {
		return rt.packets
	}
	return -1
}

func (c *testClient) pliCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plis
}

// offeredStreams lists the stream ids of the tracks the room's latest
// offer sends this client, as "stream track".
func (c *testClient) offeredStreams() []string {
	desc := c.pc.CurrentRemoteDescription()
	if desc == nil {
		return nil
	}
	var out []string
	for _, section := range strings.Split(desc.SDP, "\nm=")[1:] {
		if !strings.Contains(section, "a=sendonly") && !strings.Contains(section, "a=sendrecv") {
			continue
		}
		for _, line := range strings.Split(section, "\n") {
			if msid, ok := strings.CutPrefix(strings.TrimSpace(line), "a=msid:"); ok {
				out = append(out, msid)
			}
		}
	}
	return out
}

func (c *testClient) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

func (c *testClient) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	close(c.stop)
	if err := c.pc.GracefulClose(); err != nil {
		c.t.Logf("%s: close: %v", c.user, err)
	}
	c.wg.Wait()
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFlowing waits until the client receives more packets of the track
// than it had.
func waitFlowing(t *testing.T, c *testClient, trackID string) {
	t.Helper()
	before := c.packets(trackID)
	waitFor(t, fmt.Sprintf("%s to receive %s", c.user, trackID), func() bool {
		return c.packets(trackID) > max(before, 0)
	})
}

// waitStalled waits until no packet of the track has come for a second.
func waitStalled(t *testing.T, c *testClient, trackID string) {
	t.Helper()
	last, since := c.packets(trackID), time.Now()
	waitFor(t, fmt.Sprintf("%s to stop receiving %s", c.user, trackID), func() bool {
		if n := c.packets(trackID); n != last {
			last, since = n, time.Now()
		}
		return time.Since(since) >= time.Second
	})
}
