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
	d.toMembers(ctx, m.Conversation, protocol.TypeChatMessage, m, m.From, exceptDevice)
}

// callEnded tells the members of c's conversation, on every node, that c
// ended without its engine: its node died (nodeLease) or the server
// restarted. Their apps stop ringing, or end the call, at once; the
// members it never rang know no such call and ignore it.
func (d *chatDelivery) callEnded(ctx context.Context, c protocol.Call) {
	d.toMembers(ctx, c.Conversation, protocol.TypeCallUpdate, protocol.CallUpdate{Call: c, Event: protocol.EventEnded}, "", "")
}

// toMembers sends an event to every device of every member of conv but
// exceptDevice of user from.
func (d *chatDelivery) toMembers(ctx context.Context, conv, typ string, payload any, from, exceptDevice string) {
	members, err := d.members.Members(ctx, conv)
	if err != nil {
		d.log.Error("listing members failed", "conversation", conv, "err", err)
		return
	}
	frame, err := protocol.Encode(typ, "", payload)
	if err != nil {
		d.log.Error("encoding an event failed", "type", typ, "err", err)
		return
	}
	to := make([]cluster.Target, len(members))
	for i, u := range members {
		to[i] = cluster.Target{User: u}
		if u == from {
			to[i].Except = exceptDevice
		}
	}
	d.devices.deliver(to, frame)
}
