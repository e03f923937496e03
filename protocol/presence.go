package protocol

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
