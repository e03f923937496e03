package app

import (
	"slices"
	"sort"
	"sync"
	"time"

	"parley/client"
	"parley/protocol"
	"parley/views"
)

// chatState is what one signed-in device knows of its conversations. The
// event goroutine and the request goroutines change it; snapshot copies it
// out for the views.
type chatState struct {
	mu     sync.Mutex
	me     string
	convs  map[string]*convState
	online map[string]bool
	open   string
}

type convState struct {
	conv     protocol.Conversation
	msgs     []protocol.Message // by seq
	unread   int
	loaded   bool           // history fetched
	liveCall *protocol.Call // a group call going on
}

func newChatState(me string) *chatState {
	return &chatState{me: me, convs: map[string]*convState{}, online: map[string]bool{}}
}

func (st *chatState) convLocked(id string) *convState {
	c := st.convs[id]
	if c == nil {
		c = &convState{conv: protocol.Conversation{ID: id}}
		if users, _, err := protocol.ParseConversation(id); err == nil && users[0] != "" {
			c.conv.Members = []string{users[0], users[1]}
		}
		st.convs[id] = c
	}
	return c
}

// setConversation adds or updates a conversation of the list.
func (st *chatState) setConversation(c protocol.Conversation) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cs := st.convLocked(c.ID)
	cs.conv = c
}

// addMessages merges messages into their conversations; incoming ones in a
// conversation that is not open count as unread.
func (st *chatState) addMessages(msgs []protocol.Message, live bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, m := range msgs {
		cs := st.convLocked(m.Conversation)
		i, found := slices.BinarySearchFunc(cs.msgs, m.Seq, func(a protocol.Message, seq int64) int {
			return int(a.Seq - seq)
		})
		if found {
			continue
		}
		cs.msgs = slices.Insert(cs.msgs, i, m)
		if m.Seq > cs.conv.LastSeq {
			cs.conv.LastSeq = m.Seq
		}
		if live && m.From != st.me && st.open != m.Conversation {
			cs.unread++
		}
	}
}

func (st *chatState) setOnline(user string, online bool) {
	st.mu.Lock()
	st.online[user] = online
	st.mu.Unlock()
}

// openConv marks a conversation open and read; it reports whether its
// history is still to fetch.
func (st *chatState) openConv(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.open = id
	cs := st.convLocked(id)
	cs.unread = 0
	return !cs.loaded
}

func (st *chatState) setLoaded(id string) {
	st.mu.Lock()
	st.convLocked(id).loaded = true
	st.mu.Unlock()
}

// callUpdate follows group calls for the "Join" banner.
func (st *chatState) callUpdate(c protocol.Call) {
	if !c.Group {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	cs := st.convLocked(c.Conversation)
	if c.State == protocol.CallEnded {
		cs.liveCall = nil
		return
	}
	cc := c
	cs.liveCall = &cc
}

// applyEvent takes a client event; it reports whether anything shown
// changed.
func (st *chatState) applyEvent(ev client.Event) bool {
	switch ev.Type {
	case protocol.TypeChatMessage:
		var m protocol.Message
		if ev.Decode(&m) != nil {
			return false
		}
		st.addMessages([]protocol.Message{m}, true)
	case protocol.TypePresence:
		var p protocol.Presence
		if ev.Decode(&p) != nil {
			return false
		}
		st.setOnline(p.User, p.Online)
	case protocol.TypeGroupUpdate:
		var r protocol.ConversationReply
		if ev.Decode(&r) != nil {
			return false
		}
		st.setConversation(r.Conversation)
	case protocol.TypeCallUpdate:
		var u protocol.CallUpdate
		if ev.Decode(&u) != nil {
			return false
		}
		st.callUpdate(u.Call)
	case protocol.TypeCallIncoming:
		var inc protocol.CallIncoming
		if ev.Decode(&inc) != nil {
			return false
		}
		st.callUpdate(inc.Call)
	default:
		return false
	}
	return true
}

// snapshot is what the main window shows, copied out.
type snapshot struct {
	convs    []views.Conversation
	contacts []views.Contact
	history  []views.HistoryEntry
	open     string
	msgs     []protocol.Message
	liveCall *protocol.Call
	members  map[string][]string
}

func (st *chatState) snapshot() snapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	var s snapshot
	s.members = map[string][]string{}
	people := map[string]bool{}
	for id, cs := range st.convs {
		v := views.Conversation{ID: id, Group: cs.conv.Name != "" || isGroup(id), Members: slices.Clone(cs.conv.Members), Unread: cs.unread}
		v.Title = cs.conv.Name
		for _, u := range cs.conv.Members {
			if u != st.me {
				people[u] = true
				if !v.Group {
					v.Title = u
					v.Online = st.online[u]
				}
			}
		}
		if v.Title == "" {
			v.Title = id
		}
		if n := len(cs.msgs); n > 0 {
			last := cs.msgs[n-1]
			v.Last, v.LastAt = views.MessageSummary(last), time.UnixMilli(last.TimeMS)
		}
		s.convs = append(s.convs, v)
		s.members[id] = v.Members
		for _, m := range cs.msgs {
			if m.Type == protocol.KindCallRecord {
				s.history = append(s.history, views.HistoryEntry{Conv: v, Msg: m})
			}
		}
		if id == st.open {
			s.msgs = slices.Clone(cs.msgs)
			if cs.liveCall != nil {
				c := *cs.liveCall
				if p := c.Participant(st.me); p == nil || p.State != protocol.StateJoined {
					s.liveCall = &c
				}
			}
		}
	}
	s.open = st.open
	sort.Slice(s.convs, func(i, j int) bool {
		if !s.convs[i].LastAt.Equal(s.convs[j].LastAt) {
			return s.convs[i].LastAt.After(s.convs[j].LastAt)
		}
		return s.convs[i].ID < s.convs[j].ID
	})
	sort.Slice(s.history, func(i, j int) bool { return s.history[i].Msg.TimeMS > s.history[j].Msg.TimeMS })
	for u := range people {
		s.contacts = append(s.contacts, views.Contact{User: u, Online: st.online[u]})
	}
	sort.Slice(s.contacts, func(i, j int) bool { return s.contacts[i].User < s.contacts[j].User })
	return s
}

// name is a group conversation's name, or "" while it is not known.
func (st *chatState) name(conv string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if cs, ok := st.convs[conv]; ok {
		return cs.conv.Name
	}
	return ""
}

func (st *chatState) contacts() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, cs := range st.convs {
		for _, u := range cs.conv.Members {
			if u != st.me && !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}

func isGroup(id string) bool {
	_, g, err := protocol.ParseConversation(id)
	return err == nil && g != ""
}
