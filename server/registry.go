package server

import (
	"fmt"
	"sync"

	"parley/protocol"
	"parley/server/calls"
	"parley/server/cluster"
)

// otherNodes is the rest of the cluster, as this node uses it; nil when the
// node runs alone. server/cluster implements it.
type otherNodes interface {
	// Send hands a frame to the other nodes for their devices that to names.
	Send(to []cluster.Target, frame []byte)
	// SetPresence tells them how many devices of user this node has.
	SetPresence(user string, devices int)
	// Devices is how many devices of user they have.
	Devices(user string) int
}

// registry knows every connected device and queues frames to them. Queuing
// never blocks: a slow client is cut off rather than allowed to hold up
// anyone else.
type registry struct {
	// maxDevices bounds the devices of one user, maxConnsPerAddr the
	// connections from one remote host; zero or less: no bound.
	maxDevices, maxConnsPerAddr int

	// others is the rest of the cluster (nil: none). Frames for users go
	// to them as well as to the devices here; set before serving.
	others otherNodes

	mu sync.RWMutex
	// devices maps user → device → connection.
	devices map[string]map[string]*conn
	closed  bool
	conns   sync.WaitGroup // every connection's handler
	perAddr map[string]int // open connections by remote host
}

func newRegistry(maxDevices, maxConnsPerAddr int) *registry {
	return &registry{maxDevices: maxDevices, maxConnsPerAddr: maxConnsPerAddr,
		devices: make(map[string]map[string]*conn), perAddr: make(map[string]int)}
}

// open counts a new connection from addr in, unless the server is closing.
// over is true when addr now holds more than maxConnsPerAddr connections.
// Each open is matched by a release.
func (r *registry) open(addr string) (ok, over bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false, false
	}
	r.conns.Add(1)
	r.perAddr[addr]++
	return true, r.maxConnsPerAddr > 0 && r.perAddr[addr] > r.maxConnsPerAddr
}

// release counts a connection from addr out, once its handler is done.
func (r *registry) release(addr string) {
	r.mu.Lock()
	if r.perAddr[addr]--; r.perAddr[addr] == 0 {
		delete(r.perAddr, addr)
	}
	r.mu.Unlock()
	r.conns.Done()
}

// add queues the welcome on c and registers it: the welcome goes first, so
// no event reaches the client before it. A connection already there for the
// same device (a client that reconnected before the server saw the old
// socket die) is replaced. first is true when c is the user's only device.
// add refuses c, closing it, when the server is closing or the user already
// has maxDevices other devices connected.
func (r *registry) add(c *conn, welcome []byte) (added, first bool, replaced *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		c.close(websocketGoingAway, "server shutting down")
		return false, false, nil
	}
	ds := r.devices[c.user]
	if max := r.maxDevices; max > 0 && len(ds) >= max && ds[c.device] == nil {
		c.close(closeTooMany, fmt.Sprintf("too many devices of this user connected (at most %d)", max))
		return false, false, nil
	}
	if ds == nil {
		ds = make(map[string]*conn)
		r.devices[c.user] = ds
	}
	c.enqueue(welcome)
	replaced = ds[c.device]
	ds[c.device] = c
	return true, len(ds) == 1 && replaced == nil, replaced
}

// remove unregisters c, unless a newer connection of the same device took
// its place. last is true when the user has no device left.
func (r *registry) remove(c *conn) (removed, last bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ds := r.devices[c.user]
	if ds[c.device] != c {
		return false, false
	}
	delete(ds, c.device)
	if len(ds) == 0 {
		delete(r.devices, c.user)
		return true, true
	}
	return true, false
}

// presence is whether user is online now, and on how many devices, on
// every node.
func (r *registry) presence(user string) protocol.Presence {
	n := r.localDevices(user)
	if r.others != nil {
		n += r.others.Devices(user)
	}
	return protocol.Presence{User: user, Online: n > 0, Devices: n}
}

// localDevices is how many devices of user are connected to this node.
func (r *registry) localDevices(user string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.devices[user])
}

// targets returns the connections a target names.
func (r *registry) targets(to calls.Target) []*conn {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ds := r.devices[to.User]
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

// enqueueAll queues frame on each of cs and returns on how many it was
// queued.
func enqueueAll(cs []*conn, frame []byte) int {
	n := 0
	for _, c := range cs {
		if c.enqueue(frame) {
			n++
		}
	}
	return n
}

// sendToUsers delivers one event to every device of users, on every node.
func (r *registry) sendToUsers(users []string, typ string, payload any) {
	frame, err := protocol.Encode(typ, "", payload)
	if err != nil {
		return
	}
	to := make([]cluster.Target, len(users))
	for i, u := range users {
		to[i] = cluster.Target{User: u}
	}
	r.deliver(to, frame)
}

// deliver queues frame on the devices that to names, on every node: here
// directly, elsewhere through the other nodes.
func (r *registry) deliver(to []cluster.Target, frame []byte) {
	r.deliverLocal(to, frame)
	if r.others != nil {
		r.others.Send(to, frame)
	}
}

// deliverLocal queues frame on the devices of this node that to names.
func (r *registry) deliverLocal(to []cluster.Target, frame []byte) {
	for _, t := range to {
		enqueueAll(r.targets(calls.Target(t)), frame)
	}
}

// closeAll closes every connection and waits for their handlers to end.
func (r *registry) closeAll() {
	r.mu.Lock()
	r.closed = true
	var all []*conn
	for _, ds := range r.devices {
		for _, c := range ds {
			all = append(all, c)
		}
	}
	r.mu.Unlock()
	for _, c := range all {
		c.close(websocketGoingAway, "server shutting down")
	}
	r.conns.Wait()
}
