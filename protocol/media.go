package protocol

import "encoding/json"

// The messages between a device and the server's SFU, which carries the
// media of group calls (docs/protocol.md, "Group media"). A device joins
// the room of a call it has joined with media.join; the SFU then makes
// every offer, and the device answers.

// MediaSignal is one step of negotiation with the SFU. As a request (from
// a device) it is an answer or a candidate; as an event (from the SFU) an
// offer or a candidate.
type MediaSignal struct {
	CallID    string          `json:"call_id"`
	Kind      string          `json:"kind"`
	SDP       string          `json:"sdp,omitempty"`
	Candidate json.RawMessage `json:"candidate,omitempty"` // an RTCIceCandidateInit
}

// Validate checks a request: the SFU makes the offers, so a device sends
// answers and candidates only.
func (m *MediaSignal) Validate() error {
	if err := validOpaque("call_id", m.CallID); err != nil {
		return err
	}
	return validNegotiation(m.Kind, m.SDP, m.Candidate, SignalAnswer)
}

// CallSpeaking tells a group call's participants who is speaking now: the
// users whose voice the SFU hears, loudest first; empty when nobody is.
type CallSpeaking struct {
	CallID string   `json:"call_id"`
	Users  []string `json:"users"`
}
