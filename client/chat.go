package client

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"

	"parley/protocol"
)

// chatState remembers how far each conversation has been delivered, so
// that after a reconnect the client asks the server for exactly what it
// missed and hands every message to Events once, in seq order.
type chatState struct {
	mu sync.Mutex
	// delivered is the highest seq per conversation the caller has: handed
	// to Events, or returned by SendText (the server does not echo a
	// message to the device that sent it).
	delivered map[string]int64
	// floor is where catch-up starts when it is above delivered: the
	// caller's Options.Since, and the newest seqs at the first connection.
	floor     map[string]int64
	baselined bool
	// sent holds the seqs of this client's own messages above delivered.
	// Catch-up skips them: the caller had them from SendText. They cannot
	// simply raise delivered, as someone else's message just below them
	// may still be on its way.
	sent map[string][]int64
	// While a catch-up runs, live messages wait in held; the catch-up
	// fetches them again in their place.
	holding bool
	held    []chatMessage

	// order is held while delivering, so that what the catch-up delivers
	// and what arrives live do not interleave.
	order sync.Mutex
}

// chatMessage is a message as received, with the two fields the
// bookkeeping needs.
type chatMessage struct {
	Conversation string `json:"conversation"`
	Seq          int64  `json:"seq"`
	raw          json.RawMessage
}

func parseMessage(raw json.RawMessage) (chatMessage, error) {
	m := chatMessage{raw: raw}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, err
	}
	if m.Conversation == "" {
		return m, errors.New("message without a conversation")
	}
	return m, nil
}

func newChatState(since map[string]int64) chatState {
	if since == nil {
		since = make(map[string]int64)
	}
	return chatState{delivered: make(map[string]int64), floor: since, sent: make(map[string][]int64)}
}

// hold starts holding live messages back, for the catch-up of a new
// connection. Whatever a failed catch-up held is dropped: the next one
// fetches it again.
func (st *chatState) hold() {
	st.mu.Lock()
	st.holding, st.held = true, nil
	st.mu.Unlock()
}

// after is the chat.sync position: per conversation, the seq after which
// the caller has not got the messages. A held message is not had yet, so
// the server sends it again, in order with the others.
func (st *chatState) after() map[string]int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	m := maps.Clone(st.floor)
	for conv, seq := range st.delivered {
		m[conv] = max(m[conv], seq)
	}
	for _, h := range st.held {
		if h.Seq > st.delivered[h.Conversation] && h.Seq <= m[h.Conversation] {
			m[h.Conversation] = h.Seq - 1
		}
	}
	return m
}

// own records a message that SendText returned.
func (st *chatState) own(m protocol.Message) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if m.Seq > st.delivered[m.Conversation] {
		st.sent[m.Conversation] = append(st.sent[m.Conversation], m.Seq)
	}
}

// liveMessage takes a chat.message event off the connection.
func (c *Client) liveMessage(raw json.RawMessage) {
	m, err := parseMessage(raw)
	if err != nil {
		c.log.Warn("ignoring a malformed chat message", "err", err)
		return
	}
	st := &c.chat
	st.mu.Lock()
	if st.holding {
		st.held = append(st.held, m)
		st.mu.Unlock()
		return
	}
	st.mu.Unlock()
	st.order.Lock()
	defer st.order.Unlock()
	c.deliver(m)
}

// deliver hands a message to Events unless the caller has it already; it
// reports whether the message was new. The caller holds chat.order.
func (c *Client) deliver(m chatMessage) bool {
	st := &c.chat
	st.mu.Lock()
	if m.Seq <= st.delivered[m.Conversation] {
		st.mu.Unlock()
		return false
	}
	st.delivered[m.Conversation] = m.Seq
	own := slices.Contains(st.sent[m.Conversation], m.Seq)
	st.sent[m.Conversation] = slices.DeleteFunc(st.sent[m.Conversation], func(s int64) bool { return s <= m.Seq })
	st.mu.Unlock()
	if !own {
		c.emit(Event{Type: protocol.TypeChatMessage, Payload: m.raw})
	}
	return true
}

// catchUp runs on every new connection: it fetches with chat.sync whatever
// was missed until the server has no more, delivers it, then releases the
// live messages held meanwhile.
func (c *Client) catchUp() error {
	if err := c.baseline(); err != nil {
		return err
	}
	for {
		var page struct {
			Messages []json.RawMessage `json:"messages"`
			More     bool              `json:"more"`
		}
		if err := c.Request(c.ctx, protocol.TypeChatSync, &protocol.ChatSync{After: c.chat.after()}, &page); err != nil {
			return err
		}
		c.chat.order.Lock()
		n := 0
		for _, raw := range page.Messages {
			m, err := parseMessage(raw)
			if err != nil {
				c.chat.order.Unlock()
				return err
			}
			if c.deliver(m) {
				n++
			}
		}
		c.chat.order.Unlock()
		if !page.More {
			break
		}
		if n == 0 {
			return errors.New("chat.sync says there is more but sent nothing new")
		}
	}
	st := &c.chat
	st.order.Lock()
	defer st.order.Unlock()
	st.mu.Lock()
	held := st.held
	st.holding, st.held = false, nil
	st.mu.Unlock()
	for _, m := range held {
		c.deliver(m)
	}
	return nil
}

// baseline makes the first connection start every conversation that
// Options.Since does not name at its newest message.
func (c *Client) baseline() error {
	st := &c.chat
	st.mu.Lock()
	done := st.baselined
	st.mu.Unlock()
	if done {
		return nil
	}
	var r protocol.Conversations
	if err := c.Request(c.ctx, protocol.TypeConversations, nil, &r); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, conv := range r.Conversations {
		if _, named := st.floor[conv.ID]; !named {
			st.floor[conv.ID] = conv.LastSeq
		}
	}
	st.baselined = true
	return nil
}
