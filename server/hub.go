package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"parley/protocol"
	"parley/server/calls"
	"parley/server/push"
)

// hub knows every connected device and delivers events to them. Delivery
// only queues: a slow client is cut off rather than allowed to hold up
// anyone else.
type hub struct {
	s  *Server
	mu sync.RWMutex
	// devices maps user → device → connection.
	devices map[string]map[string]*conn
	closed  bool
	conns   sync.WaitGroup // every connection's handler
	perAddr map[string]int // open connections by remote host

	presence chan string // users whose first device came or last went

	now func() time.Time // the clock of the connections' rate limits; tests stop it
}

// open counts a new connection from addr in, unless the server is closing.
// over is true when addr now holds more than MaxConnsPerAddr connections.
// Each open is matched by a release.
func (h *hub) open(addr string) (ok, over bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false, false
	}
	h.conns.Add(1)
	h.perAddr[addr]++
	max := h.s.cfg.MaxConnsPerAddr
	return true, max > 0 && h.perAddr[addr] > max
}

// release counts a connection from addr out, once its handler is done.
func (h *hub) release(addr string) {
	h.mu.Lock()
	if h.perAddr[addr]--; h.perAddr[addr] == 0 {
		delete(h.perAddr, addr)
	}
	h.mu.Unlock()
	h.conns.Done()
}

func newHub(s *Server) *hub {
	return &hub{s: s, devices: make(map[string]map[string]*conn), perAddr: make(map[string]int),
		presence: make(chan string, 1024), now: time.Now}
}

// add queues the welcome on c and registers it: the welcome goes first, so
// no event reaches the client before it. A connection already there for the
// same device (a client that reconnected before the server saw the old
// socket die) is replaced. first is true when c is the user's only device.
// add refuses c, closing it, when the server is closing or the user already
// has MaxDevices other devices connected.
func (h *hub) add(c *conn, welcome []byte) (added, first bool, replaced *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		c.close(websocketGoingAway, "server shutting down")
		return false, false, nil
	}
	ds := h.devices[c.user]
	if max := h.s.cfg.MaxDevices; max > 0 && len(ds) >= max && ds[c.device] == nil {
		c.close(closeTooMany, fmt.Sprintf("too many devices of this user connected (at most %d)", max))
		return false, false, nil
	}
	if ds == nil {
		ds = make(map[string]*conn)
		h.devices[c.user] = ds
	}
	c.enqueue(welcome)
	replaced = ds[c.device]
	ds[c.device] = c
	return true, len(ds) == 1 && replaced == nil, replaced
}

// remove unregisters c, unless a newer connection of the same device took
// its place. last is true when the user has no device left.
func (h *hub) remove(c *conn) (removed, last bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ds := h.devices[c.user]
	if ds[c.device] != c {
		return false, false
	}
	delete(ds, c.device)
	if len(ds) == 0 {
		delete(h.devices, c.user)
		return true, true
	}
	return true, false
}

func (h *hub) online(user string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.devices[user])
}

// targets returns the connections a target names.
func (h *hub) targets(to calls.Target) []*conn {
	h.mu.RLock()
	defer h.mu.RUnlock()
	ds := h.devices[to.User]
	if to.Device != "" {
		if c := ds[to.Device]; c != nil && to.Device != to.Except {
			return []*conn{c}
		}
		return nil
	}
	out := make([]*conn, 0, len(ds))
	for d, c := range ds {
		if d != to.Except {
			out = append(out, c)
		}
	}
	return out
}

// Send implements calls.Output and is how every event leaves.
func (h *hub) Send(to calls.Target, typ string, payload any) int {
	cs := h.targets(to)
	if len(cs) == 0 {
		return 0
	}
	frame, err := protocol.Encode(typ, "", payload)
	if err != nil {
		h.s.log.Error("encoding an event failed", "type", typ, "err", err)
		return 0
	}
	n := 0
	for _, c := range cs {
		if c.enqueue(frame) {
			n++
		}
	}
	return n
}

// Push implements calls.Output.
func (h *hub) Push(user string, inv protocol.CallIncoming) {
	if h.s.push == nil {
		return
	}
	h.s.push.Notify(push.Notice{User: user, Caller: inv.Call.Caller, CallID: inv.Call.ID,
		Conversation: inv.Call.Conversation, Media: inv.Call.Media, DeadlineMS: inv.Call.DeadlineFor(user)})
}

// Created, Answered and Ended implement calls.Output: the recorder persists
// them in order.
func (h *hub) Created(c protocol.Call)  { h.s.rec.created(c) }
func (h *hub) Answered(c protocol.Call) { h.s.rec.answered(c) }
func (h *hub) Ended(c protocol.Call)    { h.s.rec.ended(c) }

// deliverMessage sends a stored chat message to every device of every
// member but the sending device, which has it in its reply.
func (h *hub) deliverMessage(ctx context.Context, m protocol.Message, exceptDevice string) {
	members, err := h.s.store.Members(ctx, m.Conversation)
	if err != nil {
		h.s.log.Error("listing members failed", "conversation", m.Conversation, "err", err)
		return
	}
	frame, _ := protocol.Encode(protocol.TypeChatMessage, "", m)
	for _, u := range members {
		except := ""
		if u == m.From {
			except = exceptDevice
		}
		for _, c := range h.targets(calls.Target{User: u, Except: except}) {
			c.enqueue(frame)
		}
	}
}

// sendToUsers delivers one event to every device of users.
func (h *hub) sendToUsers(users []string, typ string, payload any) {
	frame, err := protocol.Encode(typ, "", payload)
	if err != nil {
		return
	}
	for _, u := range users {
		for _, c := range h.targets(calls.Target{User: u}) {
			c.enqueue(frame)
		}
	}
}

// presenceChanged queues the user for announcePresence. Connections do not
// query the store themselves: a database call grows the stack of the
// goroutine that makes it, and connection goroutines should stay small.
func (h *hub) presenceChanged(user string) {
	h.presence <- user
}

// announcePresence runs on its own goroutine until the queue is closed and
// tells each queued user's contacts whether the user is online now.
func (h *hub) announcePresence() {
	defer h.s.wg.Done()
	for user := range h.presence {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		contacts, err := h.s.store.Contacts(ctx, user)
		cancel()
		if err != nil {
			h.s.log.Error("listing contacts failed", "user", user, "err", err)
			continue
		}
		n := h.online(user)
		h.sendToUsers(contacts, protocol.TypePresence, protocol.Presence{User: user, Online: n > 0, Devices: n})
	}
}

// closeAll closes every connection and waits for their handlers to end.
func (h *hub) closeAll() {
	h.mu.Lock()
	h.closed = true
	var all []*conn
	for _, ds := range h.devices {
		for _, c := range ds {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	for _, c := range all {
		c.close(websocketGoingAway, "server shutting down")
	}
	h.conns.Wait()
}
