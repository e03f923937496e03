package protocol

import "strings"

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
	name := m.Name
	if strings.TrimSpace(name) == "" {
		name = "" // white space alone names nothing
	}
	if err := validBytes("group name", name, 1, 64); err != nil {
		return err
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
