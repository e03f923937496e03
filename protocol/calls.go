package protocol

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Media kinds.
const (
	MediaAudio = "audio"
	MediaVideo = "video"
)

// CallInvite places a call in Conversation. In a direct conversation the
// invitee is the other user and Invitees may be empty; in a group Invitees
// names whom to ring (at most MaxCallSize-1).
type CallInvite struct {
	Conversation string   `json:"conversation"`
	Media        string   `json:"media"`
	Invitees     []string `json:"invitees,omitempty"`
	TimeoutMS    int64    `json:"timeout_ms,omitempty"` // 0: the server's default
}

func (m *CallInvite) Validate() error {
	if err := ValidConversation(m.Conversation); err != nil {
		return err
	}
	if err := validMedia(m.Media); err != nil {
		return err
	}
	if m.TimeoutMS != 0 && (m.TimeoutMS < MinInviteTimeout.Milliseconds() || m.TimeoutMS > MaxInviteTimeout.Milliseconds()) {
		return Errorf(CodeBadRequest, "timeout_ms must be %d-%d", MinInviteTimeout.Milliseconds(), MaxInviteTimeout.Milliseconds())
	}
	return validUsers("invitees", m.Invitees, MaxCallSize-1)
}

func validMedia(m string) error {
	if m != MediaAudio && m != MediaVideo {
		return Errorf(CodeBadRequest, "media must be audio or video")
	}
	return nil
}

// CallRef names a call: accept, cancel, hangup, join, switch_to_audio.
type CallRef struct {
	CallID string `json:"call_id"`
}

func (m *CallRef) Validate() error { return validOpaque("call_id", m.CallID) }

// Decline reasons.
const (
	ReasonDeclined         = "declined"
	ReasonPermissionDenied = "permission_denied"
	ReasonBusy             = "busy"
)

// CallDecline declines a call for the user, on all devices.
type CallDecline struct {
	CallID string `json:"call_id"`
	Reason string `json:"reason,omitempty"`
}

func (m *CallDecline) Validate() error {
	if err := validOpaque("call_id", m.CallID); err != nil {
		return err
	}
	switch m.Reason {
	case "", ReasonDeclined, ReasonPermissionDenied, ReasonBusy:
		return nil
	}
	return Errorf(CodeBadRequest, "reason must be declined, permission_denied or busy")
}

// CallAdd invites more users into a group call.
type CallAdd struct {
	CallID   string   `json:"call_id"`
	Invitees []string `json:"invitees"`
}

func (m *CallAdd) Validate() error {
	if err := validOpaque("call_id", m.CallID); err != nil {
		return err
	}
	if len(m.Invitees) == 0 {
		return Errorf(CodeBadRequest, "invitees is empty")
	}
	return validUsers("invitees", m.Invitees, MaxCallSize-1)
}

// CallMediaState announces the sender's microphone and camera.
type CallMediaState struct {
	CallID    string `json:"call_id"`
	Muted     bool   `json:"muted"`
	CameraOff bool   `json:"camera_off"`
}

func (m *CallMediaState) Validate() error { return validOpaque("call_id", m.CallID) }

// Signal kinds.
const (
	SignalOffer     = "offer"
	SignalAnswer    = "answer"
	SignalCandidate = "candidate"
)

// CallSignal carries WebRTC negotiation between two devices of a call. As a
// request, To (and optionally ToDevice) name the receiver; as an event, From
// and FromDevice name the sender.
type CallSignal struct {
	CallID     string          `json:"call_id"`
	To         string          `json:"to,omitempty"`
	ToDevice   string          `json:"to_device,omitempty"`
	From       string          `json:"from,omitempty"`
	FromDevice string          `json:"from_device,omitempty"`
	Kind       string          `json:"kind"`
	SDP        string          `json:"sdp,omitempty"`
	Candidate  json.RawMessage `json:"candidate,omitempty"` // an RTCIceCandidateInit
}

func (m *CallSignal) Validate() error {
	if err := validOpaque("call_id", m.CallID); err != nil {
		return err
	}
	if err := ValidUserName(m.To); err != nil {
		return err
	}
	if m.ToDevice != "" {
		if err := validOpaque("to_device", m.ToDevice); err != nil {
			return err
		}
	}
	if m.From != "" || m.FromDevice != "" {
		return Errorf(CodeBadRequest, "from and from_device are set by the server")
	}
	return validNegotiation(m.Kind, m.SDP, m.Candidate, SignalOffer, SignalAnswer)
}

// validNegotiation checks one step of WebRTC negotiation: a description
// of one of the kinds descriptions (sdp only) or a candidate (a JSON
// object only).
func validNegotiation(kind, sdp string, candidate json.RawMessage, descriptions ...string) error {
	switch {
	case slices.Contains(descriptions, kind):
		if err := validBytes("sdp", sdp, 1, MaxSDPBytes); err != nil {
			return err
		}
		if len(candidate) != 0 {
			return Errorf(CodeBadRequest, "an %s carries no candidate", kind)
		}
	case kind == SignalCandidate:
		if sdp != "" {
			return Errorf(CodeBadRequest, "a candidate carries no sdp")
		}
		if len(candidate) == 0 || len(candidate) > MaxCandidateBytes || !json.Valid(candidate) {
			return Errorf(CodeBadRequest, "candidate must be a JSON object of at most %d bytes", MaxCandidateBytes)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(candidate, &obj) != nil || obj == nil {
			return Errorf(CodeBadRequest, "candidate must be a JSON object")
		}
	default:
		return Errorf(CodeBadRequest, "kind must be %s or candidate", strings.Join(descriptions, ", "))
	}
	return nil
}

// Participant states.
const (
	StateInvited   = "invited" // not yet delivered to any device
	StateRinging   = "ringing" // delivered to at least one device
	StateJoined    = "joined"
	StateDeclined  = "declined"
	StateBusy      = "busy"
	StateNoAnswer  = "no_answer"
	StateCancelled = "cancelled"
	StateLeft      = "left"
)

// Call states.
const (
	CallRinging = "ringing" // nobody but the caller has joined
	CallActive  = "active"
	CallEnded   = "ended"
)

// Outcomes of a call, kept in its call record.
const (
	OutcomeCompleted = "completed"
	OutcomeCancelled = "cancelled"
	OutcomeDeclined  = "declined"
	OutcomeBusy      = "busy"
	OutcomeNoAnswer  = "no_answer"
	OutcomeFailed    = "failed"
)

// Participant is one user's place in a call.
type Participant struct {
	User      string `json:"user"`
	State     string `json:"state"`
	Device    string `json:"device,omitempty"` // the device that joined
	Muted     bool   `json:"muted,omitempty"`
	CameraOff bool   `json:"camera_off,omitempty"`
	Reason    string `json:"reason,omitempty"` // why declined
	// DeadlineMS is when an invite to this participant times out; it is
	// later than the call's own deadline for users invited into a call that
	// was already going on.
	DeadlineMS int64 `json:"deadline_ms,omitempty"`
}

// Call is the server's view of a call, sent in replies and events.
type Call struct {
	ID           string        `json:"call_id"`
	Conversation string        `json:"conversation"`
	Group        bool          `json:"group"`
	Media        string        `json:"media"`
	Caller       string        `json:"caller"`
	State        string        `json:"state"`
	DeadlineMS   int64         `json:"deadline_ms"`
	CreatedMS    int64         `json:"created_ms"`
	StartedMS    int64         `json:"started_ms,omitempty"`
	EndedMS      int64         `json:"ended_ms,omitempty"`
	Outcome      string        `json:"outcome,omitempty"`
	Participants []Participant `json:"participants"`
}

// DefaultInviteTimeout is how long an invite rings when the server is not
// told otherwise.
const DefaultInviteTimeout = 30 * time.Second

// DeadlineFor is when the invite to user times out, in milliseconds on the
// server's clock: the user's own deadline when they were invited after the
// call began (a group invite), else the call's.
func (c *Call) DeadlineFor(user string) int64 {
	if p := c.Participant(user); p != nil && p.DeadlineMS != 0 {
		return p.DeadlineMS
	}
	return c.DeadlineMS
}

// Participant returns the entry of user, or nil.
func (c *Call) Participant(user string) *Participant {
	for i := range c.Participants {
		if c.Participants[i].User == user {
			return &c.Participants[i]
		}
	}
	return nil
}

// CallReply answers call requests.
type CallReply struct {
	Call Call `json:"call"`
}

// CallIncoming rings one device. The countdown runs to
// Call.DeadlineFor(the device's user), on the server's clock.
type CallIncoming struct {
	Call Call `json:"call"`
}

// Call update events.
const (
	EventInvited           = "invited"
	EventRinging           = "ringing"
	EventAccepted          = "accepted" // a participant joined
	EventAnsweredElsewhere = "answered_elsewhere"
	EventDeclined          = "declined"
	EventBusy              = "busy"
	EventNoAnswer          = "no_answer"
	EventCancelled         = "cancelled"
	EventLeft              = "left"
	EventEnded             = "ended"
	EventMediaState        = "media_state"
	EventSwitchedToAudio   = "switched_to_audio"
	EventState             = "state" // the call as it is, sent to a device that (re)connects
)

// CallUpdate tells the participants what changed. User is who caused it.
type CallUpdate struct {
	Call  Call   `json:"call"`
	Event string `json:"event"`
	User  string `json:"user,omitempty"`
}
