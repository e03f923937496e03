package protocol

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

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
	// PostgreSQL cannot store U+0000 in text, and no person types it.
	if strings.IndexByte(s, 0) >= 0 {
		return Errorf(CodeBadRequest, "text holds a NUL character")
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
