// Package cluster carries frames, presence and calls between the nodes of
// one Parley cluster over NATS. Each node delivers only to the devices
// connected to it: what it sends for users it also hands to the other
// nodes, once, and they deliver it to theirs. Presence is each node's own
// count of devices per user, published when it changes and kept by the
// others until the node stops or falls silent. A call is owned by the node
// that made it, whose id its id carries: the other nodes send it their
// devices' requests about the call, tell it of devices that come and go,
// and keep who its calls hold busy.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Subjects. Frames go to every node; presence changes, heartbeats and
// leaves share one subject so that a node reads them in the order they
// were sent; a node answers requests for its presence on a subject of its
// own.
const (
	subjectFrames   = "parley.frames"
	subjectPresence = "parley.presence"
	subjectSnapshot = "parley.node.%s.presence"
	subjectCalls    = "parley.node.%s.calls"
	subjectDevices  = "parley.devices"
	subjectBusy     = "parley.busy"
)

// callTimeout bounds a request to the node that owns a call.
const callTimeout = 5 * time.Second

// ErrOwnerGone is the answer to a request about a call whose node is not
// running.
var ErrOwnerGone = errors.New("the server that holds the call is not running")

// Local is the node's own side: its connected devices and its presence
// announcements.
type Local interface {
	// Deliver queues frame for the devices of this node that to names. It
	// must not block: NATS calls it on the goroutine of a subscription.
	Deliver(to []Target, frame []byte)
	// PresenceChanged says that the devices of user on other nodes
	// changed in number. It must not block either.
	PresenceChanged(user string)
	// Call answers a request of a device on another node about a call
	// this node owns. NATS calls it on the goroutine of a subscription,
	// one request after another (so one device's requests keep their
	// order): it must not take long.
	Call(typ, user, device string, payload []byte) CallReply
	// DeviceChanged says that a device of user came (online) to another
	// node, or went from it. It must not block for long.
	DeviceChanged(user, device string, online bool)
}

// CallReply is the answer of a call's owner: the reply's payload, or, with
// Code set, the error's code and message.
type CallReply struct {
	Code string
	Body []byte
}

// Config configures a node; zero values are defaults.
type Config struct {
	URL string // the NATS server, nats://HOST:PORT
	// Heartbeat is how often the node says it is alive (default 1s);
	// another node not heard from for Timeout (default 5s) is taken as
	// gone, and its users' devices with it.
	Heartbeat, Timeout time.Duration
	Logger             *slog.Logger
}

// Node is this server's membership of the cluster.
type Node struct {
	id    string
	cfg   Config
	nc    *nats.Conn
	local Local
	log   *slog.Logger

	// mu orders this node's presence changes: each is numbered and
	// published under it, and a snapshot is taken and sent under it.
	mu     sync.Mutex
	seq    uint64
	own    map[string]int // user → devices here, as published
	closed bool

	peersMu sync.Mutex
	peers   map[string]*peer // node id → what it has

	asks chan string // nodes whose presence to ask for whole
	stop chan struct{}
	wg   sync.WaitGroup // the heartbeat and asking goroutines
}

// peer is what this node knows of another.
type peer struct {
	seq    uint64         // its last presence change applied
	seen   time.Time      // when it was last heard from
	users  map[string]int // user → devices there
	stale  bool           // a change was missed: its snapshot is needed
	asking bool           // its snapshot is asked for

	calls map[string][]string // its live calls → who they hold busy
	busy  map[string]int      // user → its calls that hold them busy
}

func newPeer() *peer {
	return &peer{users: make(map[string]int), calls: make(map[string][]string), busy: make(map[string]int)}
}

// setCall notes who call holds busy now (nobody: the call is over).
func (p *peer) setCall(call string, users []string) {
	for _, u := range p.calls[call] {
		if p.busy[u]--; p.busy[u] <= 0 {
			delete(p.busy, u)
		}
	}
	if len(users) == 0 {
		delete(p.calls, call)
		return
	}
	p.calls[call] = users
	for _, u := range users {
		p.busy[u]++
	}
}

// Join connects to NATS and starts taking part: it hears the other nodes
// and is heard by them. Close ends it.
func Join(cfg Config, local Local) (*Node, error) {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	n := &Node{id: hex.EncodeToString(b[:]), cfg: cfg, local: local, own: make(map[string]int),
		peers: make(map[string]*peer), asks: make(chan string, 64), stop: make(chan struct{})}
	n.log = cfg.Logger.With("node", n.id)
	nc, err := nats.Connect(cfg.URL,
		nats.Name("parley-server "+n.id),
		nats.NoEcho(), // a node delivers its own frames itself
		nats.MaxReconnects(-1),
		nats.FlusherTimeout(10*time.Second), // every write has a deadline
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			// Among others, a subscription whose callbacks fell behind:
			// NATS drops what does not fit its pending limits.
			n.log.Warn("NATS", "err", err)
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) { n.log.Warn("NATS connection lost", "err", err) }),
		nats.ReconnectHandler(func(*nats.Conn) { n.log.Info("NATS connection back") }),
	)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", cfg.URL, err)
	}
	n.nc = nc
	for subject, f := range map[string]nats.MsgHandler{
		subjectFrames:                      n.onFrame,
		subjectPresence:                    n.onPresence,
		fmt.Sprintf(subjectSnapshot, n.id): n.onSnapshotRequest,
		fmt.Sprintf(subjectCalls, n.id):    n.onCall,
		subjectDevices:                     n.onDevice,
		subjectBusy:                        n.onBusy,
	} {
		if _, err := nc.Subscribe(subject, f); err != nil {
			nc.Close()
			return nil, fmt.Errorf("subscribing to %s: %w", subject, err)
		}
	}
	// Once NATS has the subscriptions, nothing sent from now on misses
	// this node.
	if err := nc.FlushTimeout(10 * time.Second); err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribing on NATS: %w", err)
	}
	n.wg.Add(2)
	go n.heartbeats() // ended by Close
	go n.asking()     // ended by Close
	n.log.Info("joined the cluster", "nats", cfg.URL)
	return n, nil
}

// ID names this node in the cluster.
func (n *Node) ID() string { return n.id }

// Send hands frame to the other nodes for their devices that to names.
func (n *Node) Send(to []Target, frame []byte) {
	if len(to) == 0 {
		return
	}
	n.publish(subjectFrames, &message{kind: kindFrame, node: n.id, to: to, frame: frame})
}

// SetPresence says that user has devices here now, and tells the other
// nodes when that is news.
func (n *Node) SetPresence(user string, devices int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.own[user] == devices || n.closed {
		return
	}
	if devices == 0 {
		delete(n.own, user)
	} else {
		n.own[user] = devices
	}
	n.seq++
	n.publish(subjectPresence, &message{kind: kindPresence, node: n.id, seq: n.seq,
		users: []Devices{{User: user, Count: devices}}})
}

// Devices is how many devices of user the other nodes have.
func (n *Node) Devices(user string) int {
	n.peersMu.Lock()
	defer n.peersMu.Unlock()
	total := 0
	for _, p := range n.peers {
		total += p.users[user]
	}
	return total
}

// Close tells the other nodes this one is going, so they drop its users at
// once, and leaves NATS.
func (n *Node) Close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	n.publish(subjectPresence, &message{kind: kindLeave, node: n.id})
	n.mu.Unlock()
	close(n.stop)
	n.wg.Wait()
	if err := n.nc.FlushTimeout(2 * time.Second); err != nil {
		n.log.Warn("NATS did not take the last messages", "err", err)
	}
	n.nc.Close()
}

// publish sends m. NATS buffers what it cannot send at once, within a
// bound (and while reconnecting); beyond it the message is dropped.
func (n *Node) publish(subject string, m *message) {
	if err := n.nc.Publish(subject, m.encode()); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		n.log.Warn("publishing to the cluster failed; dropped", "subject", subject, "err", err)
	}
}

func (n *Node) onFrame(msg *nats.Msg) {
	m, err := decode(msg.Data)
	if err != nil || m.kind != kindFrame {
		n.log.Warn("dropping a malformed frame from the cluster", "err", err)
		return
	}
	if m.node != n.id {
		n.local.Deliver(m.to, m.frame)
	}
}

func (n *Node) onPresence(msg *nats.Msg) {
	m, err := decode(msg.Data)
	if err == nil && m.kind != kindPresence && m.kind != kindHeartbeat && m.kind != kindLeave {
		err = fmt.Errorf("kind %d on %s", m.kind, subjectPresence)
	}
	if err != nil {
		n.log.Warn("dropping a malformed presence message from the cluster", "err", err)
		return
	}
	if m.node == n.id {
		return
	}
	var changed []string
	n.peersMu.Lock()
	p := n.peers[m.node]
	switch m.kind {
	case kindLeave:
		if p != nil {
			changed = n.dropLocked(m.node)
		}
	case kindHeartbeat, kindPresence:
		if p == nil {
			// A node new to this one: its presence so far is needed,
			// unless it has none.
			p = n.peerLocked(m.node)
			p.stale = m.seq > 0
		}
		p.seen = time.Now()
		if m.kind == kindPresence {
			if m.seq != p.seq+1 {
				p.stale = true // changes were missed in between
			}
			p.seq = m.seq
			changed = apply(p.users, m.users)
		} else if m.seq != p.seq {
			p.stale = true
		}
		if p.stale && !p.asking {
			select {
			case n.asks <- m.node:
				p.asking = true
			default: // asked at its next heartbeat
			}
		}
	}
	n.peersMu.Unlock()
	n.tell(changed)
}

// peerLocked returns what this node knows of node id, starting to know
// it if need be. peersMu is held.
func (n *Node) peerLocked(id string) *peer {
	p := n.peers[id]
	if p == nil {
		p = newPeer()
		p.seen = time.Now()
		n.peers[id] = p
		n.log.Info("node joined", "peer", id)
	}
	return p
}

// apply sets each user's devices in users from ds, and returns the users
// whose number changed.
func apply(users map[string]int, ds []Devices) []string {
	var changed []string
	for _, d := range ds {
		if users[d.User] == d.Count {
			continue
		}
		if d.Count == 0 {
			delete(users, d.User)
		} else {
			users[d.User] = d.Count
		}
		changed = append(changed, d.User)
	}
	return changed
}

// dropLocked forgets a node and returns its users. peersMu is held.
func (n *Node) dropLocked(id string) []string {
	p := n.peers[id]
	delete(n.peers, id)
	users := make([]string, 0, len(p.users))
	for u := range p.users {
		users = append(users, u)
	}
	return users
}

func (n *Node) tell(users []string) {
	for _, u := range users {
		n.local.PresenceChanged(u)
	}
}

// onSnapshotRequest answers another node with this one's presence whole.
// It is sent under mu, after every change it includes and before any
// later one, and NATS keeps one connection's messages in order.
func (n *Node) onSnapshotRequest(msg *nats.Msg) {
	n.mu.Lock()
	defer n.mu.Unlock()
	m := &message{kind: kindSnapshot, node: n.id, seq: n.seq, users: make([]Devices, 0, len(n.own))}
	for u, c := range n.own {
		m.users = append(m.users, Devices{User: u, Count: c})
	}
	if err := msg.Respond(m.encode()); err != nil {
		n.log.Warn("answering a presence request failed", "err", err)
	}
}

// heartbeats says this node is alive every Heartbeat, and forgets the
// nodes not heard from for Timeout.
func (n *Node) heartbeats() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	for {
		n.mu.Lock()
		if !n.closed { // after its leave, a heartbeat would bring the node back
			n.publish(subjectPresence, &message{kind: kindHeartbeat, node: n.id, seq: n.seq})
		}
		n.mu.Unlock()
		select {
		case <-t.C:
		case <-n.stop:
			return
		}
		var gone []string
		n.peersMu.Lock()
		for id, p := range n.peers {
			if time.Since(p.seen) > n.cfg.Timeout {
				n.log.Warn("node silent; dropping its users", "peer", id, "users", len(p.users))
				gone = append(gone, n.dropLocked(id)...)
			}
		}
		n.peersMu.Unlock()
		n.tell(gone)
	}
}

// asking fetches the whole presence of the nodes that need it, one at a
// time.
func (n *Node) asking() {
	defer n.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // ends with asking
		select {
		case <-n.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		select {
		case id := <-n.asks:
			n.ask(ctx, id)
		case <-n.stop:
			return
		}
	}
}

func (n *Node) ask(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(ctx, 2*n.cfg.Heartbeat)
	reply, err := n.nc.RequestWithContext(ctx, fmt.Sprintf(subjectSnapshot, id), nil)
	cancel()
	var m *message
	if err == nil {
		m, err = decode(reply.Data)
	}
	if err == nil && (m.kind != kindSnapshot || m.node != id) {
		err = fmt.Errorf("a reply of kind %d from %s", m.kind, m.node)
	}
	var changed []string
	n.peersMu.Lock()
	if p := n.peers[id]; p != nil {
		p.asking = false
		switch {
		case err != nil:
			n.log.Warn("asking a node for its presence failed", "peer", id, "err", err)
		case m.seq >= p.seq: // else changes came after it: wait for the next
			p.seq, p.stale = m.seq, false
			fresh := make(map[string]int, len(m.users))
			for _, d := range m.users {
				if d.Count > 0 {
					fresh[d.User] = d.Count
				}
			}
			for u, c := range p.users {
				if fresh[u] != c {
					changed = append(changed, u)
				}
			}
			for u := range fresh {
				if _, had := p.users[u]; !had {
					changed = append(changed, u)
				}
			}
			p.users = fresh
		}
	}
	n.peersMu.Unlock()
	n.tell(changed)
}

// CallID makes the id of a new call this node owns: the node's id, a dash
// and 24 random hex digits, so that every node can tell the owner from the
// id alone (41 characters; the protocol allows 64).
func (n *Node) CallID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return n.id + "-" + hex.EncodeToString(b[:])
}

// CallOwner is the node that owns call id, or "" for an id no node of a
// cluster made.
func CallOwner(id string) string {
	node, _, ok := strings.Cut(id, "-")
	if !ok || len(node) != 16 {
		return ""
	}
	return node
}

// Call hands a request of device about a call to owner, the node that
// owns it, and returns its answer.
func (n *Node) Call(ctx context.Context, owner, typ, user, device string, payload []byte) (CallReply, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req := &message{kind: kindCall, node: n.id, typ: typ, user: user, device: device, frame: payload}
	msg, err := n.nc.RequestWithContext(ctx, fmt.Sprintf(subjectCalls, owner), req.encode())
	if errors.Is(err, nats.ErrNoResponders) {
		return CallReply{}, ErrOwnerGone
	}
	if err != nil {
		return CallReply{}, fmt.Errorf("asking node %s: %w", owner, err)
	}
	m, err := decode(msg.Data)
	if err == nil && (m.kind != kindCallReply || m.node != owner) {
		err = fmt.Errorf("a reply of kind %d from %s", m.kind, m.node)
	}
	if err != nil {
		return CallReply{}, fmt.Errorf("the answer of node %s: %w", owner, err)
	}
	return CallReply{Code: m.code, Body: m.frame}, nil
}

func (n *Node) onCall(msg *nats.Msg) {
	m, err := decode(msg.Data)
	if err == nil && m.kind != kindCall {
		err = fmt.Errorf("kind %d on %s", m.kind, msg.Subject)
	}
	if err != nil {
		n.log.Warn("dropping a malformed call request from the cluster", "err", err)
		return
	}
	r := n.local.Call(m.typ, m.user, m.device, m.frame)
	reply := &message{kind: kindCallReply, node: n.id, code: r.Code, frame: r.Body}
	if err := msg.Respond(reply.encode()); err != nil {
		n.log.Warn("answering a call request failed", "err", err)
	}
}

// DeviceChanged tells the other nodes that a device of user came to this
// node (online) or went from it, for the calls they own.
func (n *Node) DeviceChanged(user, device string, online bool) {
	m := &message{kind: kindDevice, node: n.id, user: user, device: device}
	if online {
		m.seq = 1
	}
	n.publish(subjectDevices, m)
}

func (n *Node) onDevice(msg *nats.Msg) {
	m, err := decode(msg.Data)
	if err == nil && m.kind != kindDevice {
		err = fmt.Errorf("kind %d on %s", m.kind, subjectDevices)
	}
	if err != nil {
		n.log.Warn("dropping a malformed device message from the cluster", "err", err)
		return
	}
	if m.node != n.id {
		n.local.DeviceChanged(m.user, m.device, m.seq == 1)
	}
}

// SetBusy tells the other nodes who call, a live call of this node, holds
// busy now: its participants invited, ringing or joined (none once it is
// over).
func (n *Node) SetBusy(call string, users []string) {
	n.publish(subjectBusy, &message{kind: kindBusy, node: n.id, call: call, busy: users})
}

func (n *Node) onBusy(msg *nats.Msg) {
	m, err := decode(msg.Data)
	if err == nil && m.kind != kindBusy {
		err = fmt.Errorf("kind %d on %s", m.kind, subjectBusy)
	}
	if err != nil {
		n.log.Warn("dropping a malformed busy message from the cluster", "err", err)
		return
	}
	if m.node == n.id {
		return
	}
	n.peersMu.Lock()
	n.peerLocked(m.node).setCall(m.call, m.busy)
	n.peersMu.Unlock()
}

// Busy reports whether a live call of another node holds user busy.
func (n *Node) Busy(user string) bool {
	n.peersMu.Lock()
	defer n.peersMu.Unlock()
	for _, p := range n.peers {
		if p.busy[user] > 0 {
			return true
		}
	}
	return false
}
