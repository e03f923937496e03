package protocol

import "time"

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
	TypeMediaJoin       = "media.join"
	TypeMediaSignal     = "media.signal" // also an event, from the SFU

	// Events.
	TypeChatMessage  = "chat.message"
	TypePresence     = "presence"
	TypeCallIncoming = "call.incoming"
	TypeCallUpdate   = "call.update"
	TypeGroupUpdate  = "group.update"
	TypeCallSpeaking = "call.speaking"
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

// Empty is the payload of requests without fields.
type Empty struct{}

func (*Empty) Validate() error { return nil }
