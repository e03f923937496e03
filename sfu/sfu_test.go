package sfu

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"
)

func newTestSFU(t *testing.T, onSpeaking func(string, []string)) *SFU {
	t.Helper()
	s, err := New(Config{ListenIP: "127.0.0.1", OnSpeaking: onSpeaking})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// waitAllFlowing waits until every client receives the audio and video of
// every other client, under the publisher's user id as stream id.
func waitAllFlowing(t *testing.T, clients ...*testClient) {
	t.Helper()
	for _, to := range clients {
		for _, from := range clients {
			if to == from {
				continue
			}
			for _, kind := range kindNames {
				waitFlowing(t, to, from.user+"-"+kind)
				to.mu.Lock()
				stream := to.received[from.user+"-"+kind].streamID
				to.mu.Unlock()
				if stream != from.user {
					t.Errorf("%s receives %s-%s in stream %q, want %q", to.user, from.user, kind, stream, from.user)
				}
			}
		}
	}
}

func TestParticipantsReceiveEachOther(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d participants", n), func(t *testing.T) {
			room := newTestSFU(t, nil).Room("call-1")
			var clients []*testClient
			for _, user := range []string{"alice", "bob", "carol"}[:n] {
				clients = append(clients, joinClient(t, room, user))
			}
			waitAllFlowing(t, clients...)
		})
	}
}

func TestLateJoinerGetsKeyFrameAtOnce(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice, bob := joinClient(t, room, "alice"), joinClient(t, room, "bob")
	waitAllFlowing(t, alice, bob)
	before := map[*testClient]int{alice: alice.pliCount(), bob: bob.pliCount()}

	dave := joinClient(t, room, "dave")
	waitAllFlowing(t, alice, bob, dave)
	for _, publisher := range []*testClient{alice, bob} {
		waitFor(t, publisher.user+" to get a PLI for dave", func() bool { return publisher.pliCount() > before[publisher] })
	}
}

func TestLeaveRemovesTracks(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice, bob, carol := joinClient(t, room, "alice"), joinClient(t, room, "bob"), joinClient(t, room, "carol")
	waitAllFlowing(t, alice, bob, carol)

	room.Leave("carol", "wrong-device") // not carol's device: nothing happens
	waitFlowing(t, alice, "carol-audio")
	room.Leave("carol", carol.device)
	for _, c := range []*testClient{alice, bob} {
		waitFor(t, c.user+" to be offered no track of carol", func() bool {
			streams := c.offeredStreams()
			return !slices.Contains(streams, "carol carol-audio") && !slices.Contains(streams, "carol carol-video") &&
				slices.Contains(streams, otherOf(c, alice, bob).user+" "+otherOf(c, alice, bob).user+"-video")
		})
		waitStalled(t, c, "carol-audio")
		waitStalled(t, c, "carol-video")
	}
	waitAllFlowing(t, alice, bob)
	if err := room.Answer("carol", carol.device, "v=0"); !errors.Is(err, ErrNotJoined) {
		t.Errorf("answer after leave: %v, want ErrNotJoined", err)
	}
}

func otherOf(c, a, b *testClient) *testClient {
	if c == a {
		return b
	}
	return a
}

func TestMuteDropsPackets(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice, bob, carol := joinClient(t, room, "alice"), joinClient(t, room, "bob"), joinClient(t, room, "carol")
	waitAllFlowing(t, alice, bob, carol)

	tests := []struct {
		name                 string
		audioMuted, videoOff bool
		stopped, flowing     string
	}{
		{"audio muted", true, false, "alice-audio", "alice-video"},
		{"camera off", false, true, "alice-video", "alice-audio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			room.Mute("alice", tt.audioMuted, tt.videoOff)
			waitStalled(t, bob, tt.stopped)
			waitFlowing(t, bob, tt.flowing)
			waitFlowing(t, bob, "carol-audio")
			waitFlowing(t, carol, "bob-video")
			room.Mute("alice", false, false)
			waitFlowing(t, bob, tt.stopped)
			waitFlowing(t, carol, tt.stopped)
		})
	}
}

func TestNACKAnsweredFromCache(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice, bob := joinClient(t, room, "alice"), joinClient(t, room, "bob")
	waitAllFlowing(t, alice, bob)

	bob.mu.Lock()
	track := bob.received["alice-video"]
	var seq uint16
	for s, n := range track.seqCount {
		if n == 1 {
			seq = s
			break
		}
	}
	ssrc := track.ssrc
	bob.mu.Unlock()

	nack := []rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: ssrc, Nacks: []rtcp.NackPair{{PacketID: seq}}}}
	waitFor(t, "the resend of the NACKed packet", func() bool {
		if err := bob.pc.WriteRTCP(nack); err != nil {
			t.Fatal(err)
		}
		bob.mu.Lock()
		defer bob.mu.Unlock()
		return track.seqCount[seq] >= 2
	})
}

func TestSpeaking(t *testing.T) {
	var mu sync.Mutex
	var reports [][]string
	onSpeaking := func(room string, users []string) {
		mu.Lock()
		defer mu.Unlock()
		if room == "call-1" {
			reports = append(reports, users)
		}
	}
	latest := func() (last []string, anyWith func(string) bool) {
		mu.Lock()
		defer mu.Unlock()
		all := slices.Clone(reports)
		if len(all) > 0 {
			last = all[len(all)-1]
		}
		return last, func(user string) bool {
			return slices.ContainsFunc(all, func(users []string) bool { return slices.Contains(users, user) })
		}
	}
	room := newTestSFU(t, onSpeaking).Room("call-1")
	alice, bob := joinClient(t, room, "alice"), joinClient(t, room, "bob")
	waitAllFlowing(t, alice, bob)

	alice.level.Store(levelLoud)
	waitFor(t, "alice reported speaking", func() bool {
		last, _ := latest()
		return slices.Equal(last, []string{"alice"})
	})
	if _, anyWith := latest(); anyWith("bob") {
		t.Errorf("quiet bob reported speaking: %v", reports)
	}

	alice.level.Store(levelQuiet)
	bob.level.Store(levelLoud)
	waitFor(t, "only bob reported speaking", func() bool {
		last, _ := latest()
		return slices.Equal(last, []string{"bob"})
	})

	room.Mute("bob", true, false)
	waitFor(t, "muted bob no longer speaking", func() bool {
		last, _ := latest()
		return len(last) == 0
	})
}

// TestCongestionFloor: a subscriber whose REMB is under the floor gets
// audio only, the publisher is capped at the floor, and video comes back
// when the estimate does.
func TestCongestionFloor(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice, bob, carol := joinClient(t, room, "alice"), joinClient(t, room, "bob"), joinClient(t, room, "carol")
	waitAllFlowing(t, alice, bob, carol)

	carol.mu.Lock()
	ssrc := carol.received["alice-video"].ssrc
	carol.mu.Unlock()
	remb := func(bitrate float32) {
		pkt := []rtcp.Packet{&rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: bitrate, SSRCs: []uint32{ssrc}}}
		if err := carol.pc.WriteRTCP(pkt); err != nil {
			t.Fatal(err)
		}
	}
	lastREMB := func() float32 {
		alice.mu.Lock()
		defer alice.mu.Unlock()
		if len(alice.rembs) == 0 {
			return 0
		}
		return alice.rembs[len(alice.rembs)-1]
	}

	remb(50_000)
	waitFor(t, "alice capped at the floor", func() bool { remb(50_000); return lastREMB() == videoFloor })
	waitStalled(t, carol, "alice-video")
	waitFlowing(t, carol, "alice-audio")
	waitFlowing(t, bob, "alice-video")

	// 4 Mb/s shared by the two video tracks carol receives.
	waitFor(t, "alice capped at carol's share", func() bool { remb(4_000_000); return lastREMB() == 2_000_000 })
	waitFlowing(t, carol, "alice-video")
}

func TestJoinAgainReplacesDevice(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice, bob := joinClient(t, room, "alice"), joinClient(t, room, "bob")
	waitAllFlowing(t, alice, bob)

	laptop := newClient(t, room, "alice", "alice-laptop")
	if err := room.Join("alice", "alice-laptop", clientSignaler{laptop}); err != nil {
		t.Fatal(err)
	}
	if err := room.Answer("alice", alice.device, "v=0"); !errors.Is(err, ErrNotJoined) {
		t.Errorf("answer from the replaced device: %v, want ErrNotJoined", err)
	}
	waitFor(t, "the phone's connection closed by the SFU", func() bool {
		s := alice.pc.ConnectionState()
		return s == webrtc.PeerConnectionStateClosed || s == webrtc.PeerConnectionStateFailed || s == webrtc.PeerConnectionStateDisconnected
	})
	waitFlowing(t, laptop, "bob-video")
	waitFlowing(t, bob, "alice-audio")
}

func TestRefusals(t *testing.T) {
	s := newTestSFU(t, nil)
	room := s.Room("call-1")
	bob := joinClient(t, room, "bob")
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"answer, not joined", func() error { return room.Answer("alice", "phone", "v=0") }, ErrNotJoined},
		{"candidate, not joined", func() error { return room.Candidate("alice", "phone", webrtc.ICECandidateInit{}) }, ErrNotJoined},
		{"answer, other device", func() error { return room.Answer("bob", "laptop", "v=0") }, ErrNotJoined},
		{"join, ended room", func() error { s.EndRoom("call-1"); return room.Join("alice", "phone", clientSignaler{bob}) }, ErrRoomEnded},
		{"answer, ended room", func() error { return room.Answer("bob", bob.device, "v=0") }, ErrRoomEnded},
		{"join, closed SFU", func() error { _ = s.Close(); return s.Room("call-2").Join("bob", "phone", clientSignaler{bob}) }, ErrRoomEnded},
	}
	for _, tt := range tests {
		if err := tt.call(); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestEndRoomAndCloseLeaveNothing(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	s, err := New(Config{ListenIP: "127.0.0.1", OnSpeaking: func(string, []string) {}})
	if err != nil {
		t.Fatal(err)
	}
	room := s.Room("call-1")
	clients := []*testClient{joinClient(t, room, "alice"), joinClient(t, room, "bob"), joinClient(t, room, "carol")}
	waitAllFlowing(t, clients...)
	s.Room("call-2") // an empty room, ended by Close

	room.mu.Lock()
	var pcs []*webrtc.PeerConnection
	for _, p := range room.peers {
		pcs = append(pcs, p.pc)
	}
	room.mu.Unlock()
	s.EndRoom("call-1")
	for _, pc := range pcs {
		if state := pc.ConnectionState(); state != webrtc.PeerConnectionStateClosed {
			t.Errorf("after EndRoom a connection is %s", state)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	for _, c := range clients {
		c.close()
	}
	goleak.VerifyNone(t, ignore)
}

// heldSignaler keeps a device's offers and candidates until released, as
// a slow device would.
type heldSignaler struct {
	c       *testClient
	mu      sync.Mutex
	held    []clientSignal
	offers  int
	holding bool
}

func (s *heldSignaler) Offer(sdp string) { s.add(clientSignal{offer: sdp}, true) }

func (s *heldSignaler) Candidate(c webrtc.ICECandidateInit) {
	s.add(clientSignal{candidate: &c}, false)
}

func (s *heldSignaler) add(sig clientSignal, offer bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if offer {
		s.offers++
	}
	if s.holding {
		s.held = append(s.held, sig)
		return
	}
	s.c.queue(sig)
}

func (s *heldSignaler) offerCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offers
}

func (s *heldSignaler) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holding = false
	for _, sig := range s.held {
		s.c.queue(sig)
	}
	s.held = nil
}

func TestChangeDuringPendingOfferIsOfferedAfterAnswer(t *testing.T) {
	room := newTestSFU(t, nil).Room("call-1")
	alice := newClient(t, room, "alice", "alice-phone")
	sig := &heldSignaler{c: alice, holding: true}
	if err := room.Join("alice", "alice-phone", sig); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice's first offer", func() bool { return sig.offerCount() == 1 })

	bob := joinClient(t, room, "bob")
	waitFor(t, "bob's tracks added to alice's connection", func() bool {
		room.mu.Lock()
		defer room.mu.Unlock()
		return len(room.peers["alice"].subscriptions) == 2
	})
	if n := sig.offerCount(); n != 1 {
		t.Fatalf("%d offers while the first was pending, want 1", n)
	}

	sig.release()
	waitFor(t, "the offer of bob's tracks after alice's answer", func() bool { return sig.offerCount() >= 2 })
	waitAllFlowing(t, alice, bob)
}
