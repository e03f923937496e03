package server

import (
	"log/slog"
	"time"

	"parley/protocol"
	"parley/server/calls"
	"parley/server/cluster"
	"parley/server/push"
)

// busyBoard is where the calls of this node tell the other nodes whom they
// hold busy. server/cluster implements it.
type busyBoard interface {
	SetBusy(call string, users []string)
}

// callOutput is how the calls engine's decisions leave it (calls.Output):
// events to the devices, push notices to the webhook, calls to the
// recorder, and changes to group media. The engine calls it with its lock held, so nothing here
// blocks but the recorder's queue, when it is full.
type callOutput struct {
	devices *registry
	push    *push.Webhook // nil: no webhook configured
	rec     *callRecorder
	media   *groupMedia
	others  busyBoard // nil: the node runs alone
	log     *slog.Logger
}

// Send is how every call event leaves: to the devices here and, in a
// cluster, to those on the other nodes. What it reached counts the user's
// devices there as presence tells them; a device named that is not here
// counts as reached there, since it is named because it was seen (it has
// just come to another node, or sent a signal from there).
func (o *callOutput) Send(to calls.Target, typ string, payload any) int {
	cs := o.devices.targets(to)
	elsewhere := o.devices.others
	if len(cs) == 0 && elsewhere == nil {
		return 0
	}
	frame, err := protocol.Encode(typ, "", payload)
	if err != nil {
		o.log.Error("encoding an event failed", "type", typ, "err", err)
		return 0
	}
	n := enqueueAll(cs, frame)
	if elsewhere == nil || (to.Device != "" && len(cs) > 0) {
		return n
	}
	// Sent even when presence says the user has no device there: a
	// device that has just come may not be counted yet.
	elsewhere.Send([]cluster.Target{cluster.Target(to)}, frame)
	if to.Device != "" {
		return 1
	}
	return n + elsewhere.Devices(to.User)
}

// Push notifies the webhook of an invite to a user with no device online.
func (o *callOutput) Push(user string, inv protocol.CallIncoming) {
	if o.push == nil {
		return
	}
	o.push.Notify(push.Notice{User: user, Caller: inv.Call.Caller, CallID: inv.Call.ID,
		Conversation: inv.Call.Conversation, Media: inv.Call.Media, DeadlineMS: inv.Call.DeadlineFor(user)})
}

// Created, Answered and Ended hand the call to the recorder, which persists
// them in order.
func (o *callOutput) Created(c protocol.Call)  { o.rec.created(c) }
func (o *callOutput) Answered(c protocol.Call) { o.rec.answered(c) }
func (o *callOutput) Ended(c protocol.Call)    { o.rec.ended(c) }

// Changed keeps a group call's SFU room in step with the call, and tells
// the other nodes whom it holds busy.
func (o *callOutput) Changed(c protocol.Call) {
	o.media.changed(c)
	if o.others == nil {
		return
	}
	var busy []string
	if c.State != protocol.CallEnded {
		for _, p := range c.Participants {
			switch p.State {
			case protocol.StateInvited, protocol.StateRinging, protocol.StateJoined:
				busy = append(busy, p.User)
			}
		}
	}
	o.others.SetBusy(c.ID, busy)
}

// realClock is the engine's calls.Clock outside tests.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) calls.Timer {
	return time.AfterFunc(d, f)
}
