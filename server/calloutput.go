package server

import (
	"log/slog"
	"time"

	"parley/protocol"
	"parley/server/calls"
	"parley/server/push"
)

// callOutput is how the calls engine's decisions leave it (calls.Output):
// events to the devices, push notices to the webhook, calls to the
// recorder, and changes to group media. The engine calls it with its lock held, so nothing here
// blocks but the recorder's queue, when it is full.
type callOutput struct {
	devices *registry
	push    *push.Webhook // nil: no webhook configured
	rec     *callRecorder
	media   *groupMedia
	log     *slog.Logger
}

// Send is how every call event leaves.
func (o *callOutput) Send(to calls.Target, typ string, payload any) int {
	cs := o.devices.targets(to)
	if len(cs) == 0 {
		return 0
	}
	frame, err := protocol.Encode(typ, "", payload)
	if err != nil {
		o.log.Error("encoding an event failed", "type", typ, "err", err)
		return 0
	}
	return enqueueAll(cs, frame)
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

// Changed keeps a group call's SFU room in step with the call.
func (o *callOutput) Changed(c protocol.Call) { o.media.changed(c) }

// realClock is the engine's calls.Clock outside tests.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) calls.Timer {
	return time.AfterFunc(d, f)
}
