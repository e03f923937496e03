package server

import (
	"context"
	"log/slog"

	"parley/protocol"
	"parley/server/calls"
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
// exceptDevice of the sender, which has it in its reply.
func (d *chatDelivery) deliver(ctx context.Context, m protocol.Message, exceptDevice string) {
	members, err := d.members.Members(ctx, m.Conversation)
	if err != nil {
		d.log.Error("listing members failed", "conversation", m.Conversation, "err", err)
		return
	}
	frame, _ := protocol.Encode(protocol.TypeChatMessage, "", m)
	for _, u := range members {
		except := ""
		if u == m.From {
			except = exceptDevice
		}
		enqueueAll(d.devices.targets(calls.Target{User: u, Except: except}), frame)
	}
}
