package server

import (
	"context"
	"log/slog"
	"time"

	"parley/protocol"
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
type presenceAnnouncer struct {
	devices  *registry
	contacts contactLister
	log      *slog.Logger
	queue    chan string   // users whose first device came or last went
	done     chan struct{} // closed when run has ended
}

func newPresenceAnnouncer(devices *registry, contacts contactLister, log *slog.Logger) *presenceAnnouncer {
	return &presenceAnnouncer{devices: devices, contacts: contacts, log: log,
		queue: make(chan string, 1024), done: make(chan struct{})}
}

// changed queues user to be announced. Once the queue is full it waits.
func (p *presenceAnnouncer) changed(user string) {
	p.queue <- user
}

// run announces each queued user until close.
func (p *presenceAnnouncer) run() {
	defer close(p.done)
	for user := range p.queue {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		contacts, err := p.contacts.Contacts(ctx, user)
		cancel()
		if err != nil {
			p.log.Error("listing contacts failed", "user", user, "err", err)
			continue
		}
		p.devices.sendToUsers(contacts, protocol.TypePresence, p.devices.presence(user))
	}
}

// close announces what is queued and waits for run to end. No connection
// may call changed any more: the registry has closed them all.
func (p *presenceAnnouncer) close() {
	close(p.queue)
	<-p.done
}
