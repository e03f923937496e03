package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"parley/protocol"
	"parley/server/cluster"
)

// contactLister is the part of the Store that the presence announcer reads.
type contactLister interface {
	Contacts(ctx context.Context, user string) ([]string, error)
}

// presenceAnnouncer tells a user's contacts when the user's first device
// comes or last goes, one user at a time on its own goroutine. Connections
// hand it the work rather than query the store themselves: a database call
// grows the stack of the goroutine that makes it, and connection goroutines
// should stay small.
//
// In a cluster it also tells the other nodes of this node's changes, and
// announces theirs to the contacts connected here: every node announces to
// its own devices. Each announcement says how things are when it is made,
// so a user who comes on a second node is announced online again.
type presenceAnnouncer struct {
	devices  *registry
	contacts contactLister
	log      *slog.Logger
	queue    chan string   // users whose first device came or last went here
	done     chan struct{} // closed when run has ended

	// Changes on other nodes are gathered in remote, each user once, so
	// that taking them in never blocks the cluster.
	remoteMu sync.Mutex
	remote   map[string]bool
	wake     chan struct{} // holds a token while remote may hold users
}

func newPresenceAnnouncer(devices *registry, contacts contactLister, log *slog.Logger) *presenceAnnouncer {
	return &presenceAnnouncer{devices: devices, contacts: contacts, log: log,
		queue: make(chan string, 1024), done: make(chan struct{}),
		remote: make(map[string]bool), wake: make(chan struct{}, 1)}
}

// changed queues user to be announced. Once the queue is full it waits.
func (p *presenceAnnouncer) changed(user string) {
	p.queue <- user
}

// remoteChanged queues user to be announced because their devices on
// other nodes changed. It never blocks.
func (p *presenceAnnouncer) remoteChanged(user string) {
	p.remoteMu.Lock()
	p.remote[user] = true
	p.remoteMu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run announces each queued user until close.
func (p *presenceAnnouncer) run() {
	defer close(p.done)
	for {
		select {
		case user, ok := <-p.queue:
			if !ok {
				return
			}
			if p.devices.others != nil {
				p.devices.others.SetPresence(user, p.devices.localDevices(user))
			}
			p.announce(user)
		case <-p.wake:
			p.remoteMu.Lock()
			users := p.remote
			p.remote = make(map[string]bool)
			p.remoteMu.Unlock()
			for user := range users {
				p.announce(user)
			}
		}
	}
}

// announce tells the contacts of user connected here whether user is
// online now.
func (p *presenceAnnouncer) announce(user string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	contacts, err := p.contacts.Contacts(ctx, user)
	cancel()
	if err != nil {
		p.log.Error("listing contacts failed", "user", user, "err", err)
		return
	}
	frame, err := protocol.Encode(protocol.TypePresence, "", p.devices.presence(user))
	if err != nil {
		return
	}
	to := make([]cluster.Target, len(contacts))
	for i, c := range contacts {
		to[i] = cluster.Target{User: c}
	}
	p.devices.deliverLocal(to, frame)
}

// close announces what is queued and waits for run to end. No connection
// may call changed any more: the registry has closed them all. Changes
// from other nodes after this are not announced.
func (p *presenceAnnouncer) close() {
	close(p.queue)
	<-p.done
}
