package server

import (
	"context"
	"log/slog"

	"parley/protocol"
	"parley/server/cluster"
)

// memberLister is the part of the Store that chat delivery reads.
type memberLister interface {
	Members(ctx context.Context, conv string) ([]string, error)
}

// chatDelivery sends stored chat messages, typed by users and call records
// alike, to the devices of their conversation's members.
type chatDelivery struct {
	devices *registry
	members memberLister
	log     *slog.Logger
}

// deliver sends a stored chat message to every device of every member but
// exceptDevice of the sender, which has it in its reply, on every node. A
// connection's messages are stored and delivered one at a time, and the
// other nodes get them in that order (NATS keeps one publisher's order), so
// one sender's messages arrive in seq order everywhere. Messages of two
// people writing at once may not, on one node as on several.
func (d *chatDelivery) deliver(ctx context.Context, m protocol.Message, exceptDevice string) {
	members, err := d.members.Members(ctx, m.Conversation)
	if err != nil {
		d.log.Error("listing members failed", "conversation", m.Conversation, "err", err)
		return
	}
	frame, _ := protocol.Encode(protocol.TypeChatMessage, "", m)
	to := make([]cluster.Target, len(members))
	for i, u := range members {
		to[i] = cluster.Target{User: u}
		if u == m.From {
			to[i].Except = exceptDevice
		}
	}
	d.devices.deliver(to, frame)
}
