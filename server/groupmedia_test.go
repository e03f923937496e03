package server

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pion/webrtc/v4"

	"parley/protocol"
)

// TestGroupMediaRefusals: only the device that joined a group call may
// open its room, a device that left cannot send into it, and a direct
// call has no room. The room's goroutines and PeerConnections are gone
// once the call ends (TestMain checks for leaks).
func TestGroupMediaRefusals(t *testing.T) {
	ts := startServer(t, Config{})
	alice, bob, carol, dave := ts.connect("alice", "a1"), ts.connect("bob", "b1"), ts.connect("carol", "c1"), ts.connect("dave", "d1")
	bob2 := ts.connect("bob", "b2")
	var group protocol.ConversationReply
	alice.ok(protocol.TypeGroupCreate, protocol.GroupCreate{Name: "team", Members: []string{"bob", "carol", "dave"}}, &group)
	var placed protocol.CallReply
	alice.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: group.Conversation.ID, Media: protocol.MediaVideo,
		Invitees: []string{"bob", "carol"}}, &placed)
	id := placed.Call.ID
	join := protocol.CallRef{CallID: id}

	bob.ok(protocol.TypeCallAccept, join, nil)
	carol.refused(protocol.CodeForbidden, protocol.TypeMediaJoin, join) // still ringing
	dave.refused(protocol.CodeForbidden, protocol.TypeMediaJoin, join)  // a member who is not in the call
	bob2.refused(protocol.CodeForbidden, protocol.TypeMediaJoin, join)  // bob joined on another device
	bob.refused(protocol.CodeNotFound, protocol.TypeMediaSignal, candidate(id))

	offer := bob.joinMedia(id)
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP}); err != nil {
		t.Fatalf("the SFU's offer: %v", err)
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	bob.ok(protocol.TypeMediaSignal, protocol.MediaSignal{CallID: id, Kind: protocol.SignalAnswer, SDP: answer.SDP}, nil)
	bob.refused(protocol.CodeConflict, protocol.TypeMediaSignal, protocol.MediaSignal{CallID: id, Kind: protocol.SignalAnswer, SDP: answer.SDP})
	bob.ok(protocol.TypeMediaSignal, candidate(id), nil)
	bob2.refused(protocol.CodeNotFound, protocol.TypeMediaSignal, candidate(id)) // not the device in the room
	bob.refused(protocol.CodeBadRequest, protocol.TypeMediaSignal, protocol.MediaSignal{CallID: id, Kind: protocol.SignalOffer, SDP: "v=0"})

	bob.ok(protocol.TypeCallHangup, join, nil)
	bob.refused(protocol.CodeForbidden, protocol.TypeMediaJoin, join)
	bob.refused(protocol.CodeNotFound, protocol.TypeMediaSignal, candidate(id)) // left: out of the room

	var direct protocol.CallReply
	dave.ok(protocol.TypeCallInvite, protocol.CallInvite{Conversation: protocol.DirectConversation("dave", "bob"), Media: protocol.MediaAudio}, &direct)
	bob.ok(protocol.TypeCallAccept, protocol.CallRef{CallID: direct.Call.ID}, nil)
	bob.refused(protocol.CodeBadRequest, protocol.TypeMediaJoin, protocol.CallRef{CallID: direct.Call.ID})
}

func candidate(callID string) protocol.MediaSignal {
	return protocol.MediaSignal{CallID: callID, Kind: protocol.SignalCandidate,
		Candidate: json.RawMessage(`{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}`)}
}

// joinMedia sends media.join and returns the SFU's first offer, which may
// come before or after the reply.
func (p *peer) joinMedia(callID string) protocol.MediaSignal {
	p.t.Helper()
	p.n++
	id := fmt.Sprint(p.n)
	frame, _ := protocol.Encode(protocol.TypeMediaJoin, id, protocol.CallRef{CallID: callID})
	p.sendRaw(string(frame))
	var offer *protocol.MediaSignal
	replied := false
	for offer == nil || !replied {
		env := p.until("the join's reply and offer", func(env *protocol.Envelope) bool {
			return env.ID == id || env.Type == protocol.TypeMediaSignal
		})
		if env.ID == id {
			if env.Type != protocol.TypeReply {
				p.t.Fatalf("media.join: %+v", env.Error)
			}
			replied = true
			continue
		}
		var m protocol.MediaSignal
		if err := json.Unmarshal(env.Payload, &m); err != nil {
			p.t.Fatal(err)
		}
		if m.Kind == protocol.SignalOffer {
			offer = &m
		}
	}
	return *offer
}
