package protocol

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// Message types. Requests go from a client to the server and get a reply;
// events go from the server to a client and get none.
const (
	// Requests.
	TypeHello           = "hello"
	TypeChatSend        = "chat.send"
	TypeChatHistory     = "chat.history"
	TypeChatSync        = "chat.sync"
	TypeConversations   = "conversation.list"
	TypeGroupCreate     = "group.create"
	TypeGroupAdd        = "group.add"
	TypePresenceQuery   = "presence.query"
	TypeCallInvite      = "call.invite"
	TypeCallAccept      = "call.accept"
	TypeCallDecline     = "call.decline"
	TypeCallCancel      = "call.cancel"
	TypeCallHangup      = "call.hangup"
	TypeCallJoin        = "call.join"
	TypeCallAdd         = "call.add"
	TypeCallMediaState  = "call.media_state"
	TypeCallSwitchAudio = "call.switch_to_audio"
	TypeCallSignal      = "call.signal" // also an event, relayed to the peer

	// Events.
	TypeChatMessage  = "chat.message"
	TypePresence     = "presence"
	TypeCallIncoming = "call.incoming"
	TypeCallUpdate   = "call.update"
	TypeGroupUpdate  = "group.update"
)

// Limits.
const (
	MaxTextBytes       = 8 << 10
	MaxGroupMembers    = 200
	MaxCallSize        = 9 // participants, the caller included
	MaxHistoryPage     = 200
	MaxSDPBytes        = 48 << 10
	MaxCandidateBytes  = 1 << 10
	MinInviteTimeout   = 5 * time.Second
	MaxInviteTimeout   = 120 * time.Second
	DefaultHistoryPage = 50
)

// Hello opens a websocket session. It must be the first message.
type Hello struct {
	Version int    `json:"version"`
	Token   string `json:"token"`
	// Device names this connection among the user's devices; a client keeps
	// it across reconnects so that a call survives a short drop.
	Device string `json:"device"`
}

func (h *Hello) Validate() error {
	if h.Version != Version {
		return Errorf(CodeVersion, "protocol version %d is not supported; this server speaks %d", h.Version, Version)
	}
	if h.Token == "" || len(h.Token) > 1024 {
		return Errorf(CodeUnauthorized, "hello needs a token from /api/login")
	}
	return validOpaque("device", h.Device)
}

// Welcome is the reply to Hello.
type Welcome struct {
	User         string `json:"user"`
	Device       string `json:"device"`
	ServerTimeMS int64  `json:"server_time_ms"`
	Version      int    `json:"version"`
}

// ChatSend sends a text message. ClientID makes the send idempotent: a resend
// with the same ClientID in the same conversation returns the stored message.
type ChatSend struct {
	Conversation string `json:"conversation"`
	ClientID     string `json:"client_id"`
	Text         string `json:"text"`
}

func (m *ChatSend) Validate() error {
	if err := ValidConversation(m.Conversation); err != nil {
		return err
	}
	if err := validOpaque("client_id", m.ClientID); err != nil {
		return err
	}
	return validText(m.Text)
}

func validText(s string) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(CodeBadRequest, "text is empty")
	}
	if len(s) > MaxTextBytes {
		return Errorf(CodeBadRequest, "text of %d bytes is over the limit of %d", len(s), MaxTextBytes)
	}
	if !utf8.ValidString(s) {
		return Errorf(CodeBadRequest, "text is not UTF-8")
	}
	return nil
}

// Message kinds.
const (
	KindText       = "text"
	KindCallRecord = "call_record"
)

// Message is a stored chat message. A call record carries the call fields.
type Message struct {
	Conversation string `json:"conversation"`
	Seq          int64  `json:"seq"`
	ClientID     string `json:"client_id,omitempty"`
	From         string `json:"from"`
	Type         string `json:"type"`
	Text         string `json:"text,omitempty"`
	TimeMS       int64  `json:"time_ms"`
	// Call record fields.
	CallID     string `json:"call_id,omitempty"`
	Media      string `json:"media,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
}

// MarshalJSON writes duration_ms on every call record, 0 included, so that
// a record of a call nobody answered still says how long it lasted.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message
	if m.Type != KindCallRecord {
		return json.Marshal(plain(m))
	}
	return json.Marshal(struct {
		plain
		DurationMS int64 `json:"duration_ms"`
	}{plain(m), m.DurationMS})
}

// ChatSendReply answers ChatSend.
type ChatSendReply struct {
	Message Message `json:"message"`
}

// ChatHistory asks for the messages of a conversation with seq < Before
// (0: from the newest), newest Limit of them, returned oldest first.
type ChatHistory struct {
	Conversation string `json:"conversation"`
	Before       int64  `json:"before,omitempty"`
	Limit        int    `json:"limit,omitempty"`
}

func (m *ChatHistory) Validate() error {
	if err := ValidConversation(m.Conversation); err != nil {
		return err
	}
	if m.Before < 0 {
		return Errorf(CodeBadRequest, "before must not be negative")
	}
	if m.Limit < 0 || m.Limit > MaxHistoryPage {
		return Errorf(CodeBadRequest, "limit must be 0-%d", MaxHistoryPage)
	}
	return nil
}

// Messages answers ChatHistory and ChatSync, oldest first. More is true when
// the page was cut at the limit.
type Messages struct {
	Messages []Message `json:"messages"`
	More     bool      `json:"more"`
}

// ChatSync asks for every message the client has not seen: for each
// conversation of the user, those with seq above After[conversation] (0 for
// conversations not named). A client repeats it while More is true.
type ChatSync struct {
	After map[string]int64 `json:"after"`
	Limit int              `json:"limit,omitempty"`
}

func (m *ChatSync) Validate() error {
	if len(m.After) > 10000 {
		return Errorf(CodeBadRequest, "after names too many conversations")
	}
	for c, s := range m.After {
		if err := ValidConversation(c); err != nil {
			return err
		}
		if s < 0 {
			return Errorf(CodeBadRequest, "after[%s] must not be negative", clip(c))
		}
	}
	if m.Limit < 0 || m.Limit > 1000 {
		return Errorf(CodeBadRequest, "limit must be 0-1000")
	}
	return nil
}

// Empty is the payload of requests without fields.
type Empty struct{}

func (*Empty) Validate() error { return nil }

// Conversation describes one conversation of the user.
type Conversation struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"` // groups only
	Members []string `json:"members"`
	LastSeq int64    `json:"last_seq"`
}

// Conversations answers conversation.list.
type Conversations struct {
	Conversations []Conversation `json:"conversations"`
}

// GroupCreate makes a group of the sender and Members.
type GroupCreate struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

func (m *GroupCreate) Validate() error {
	n := strings.TrimSpace(m.Name)
	if n == "" || len(m.Name) > 64 || !utf8.ValidString(m.Name) {
		return Errorf(CodeBadRequest, "group name must be 1-64 bytes of UTF-8")
	}
	return validUsers("members", m.Members, MaxGroupMembers-1)
}

// GroupAdd adds members to a group; any member may add.
type GroupAdd struct {
	Conversation string   `json:"conversation"`
	Members      []string `json:"members"`
}

func (m *GroupAdd) Validate() error {
	if _, g, err := ParseConversation(m.Conversation); err != nil || g == "" {
		return Errorf(CodeBadRequest, "conversation must be a group")
	}
	if len(m.Members) == 0 {
		return Errorf(CodeBadRequest, "members is empty")
	}
	return validUsers("members", m.Members, MaxGroupMembers-1)
}

// ConversationReply answers group.create and group.add; it is also the
// group.update event sent to the members.
type ConversationReply struct {
	Conversation Conversation `json:"conversation"`
}

// PresenceQuery asks which of Users are online.
type PresenceQuery struct {
	Users []string `json:"users"`
}

func (m *PresenceQuery) Validate() error { return validUsers("users", m.Users, 1000) }

// Presence is the presence event, and the elements of a presence reply.
type Presence struct {
	User    string `json:"user"`
	Online  bool   `json:"online"`
	Devices int    `json:"devices"`
}

// PresenceReply answers presence.query.
type PresenceReply struct {
	Users []Presence `json:"users"`
}

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
	switch m.Kind {
	case SignalOffer, SignalAnswer:
		if m.SDP == "" || len(m.SDP) > MaxSDPBytes || !utf8.ValidString(m.SDP) {
			return Errorf(CodeBadRequest, "sdp must be 1-%d bytes of UTF-8", MaxSDPBytes)
		}
		if len(m.Candidate) != 0 {
			return Errorf(CodeBadRequest, "an %s carries no candidate", m.Kind)
		}
	case SignalCandidate:
		if m.SDP != "" {
			return Errorf(CodeBadRequest, "a candidate carries no sdp")
		}
		if len(m.Candidate) == 0 || len(m.Candidate) > MaxCandidateBytes || !json.Valid(m.Candidate) {
			return Errorf(CodeBadRequest, "candidate must be a JSON object of at most %d bytes", MaxCandidateBytes)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(m.Candidate, &obj) != nil || obj == nil {
			return Errorf(CodeBadRequest, "candidate must be a JSON object")
		}
	default:
		return Errorf(CodeBadRequest, "kind must be offer, answer or candidate")
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
