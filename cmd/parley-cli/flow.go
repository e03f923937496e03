package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"

	"parley/callcore"
	"parley/client"
	"parley/protocol"
)

// phoneEvents bounds the engine's events waiting to be printed: a call
// makes a few dozen, plus a countdown tick a second and stats every 2 s.
const phoneEvents = 1024

// callFlow is one call of this device, from the invite or the ring to its
// end, run by the same call engine as the desktop app. It prints what
// happens as JSON lines and the summary last.
type callFlow struct {
	cl     *client.Client
	phone  *callcore.Phone
	events chan callcore.Event
	out    *printer
	opts   callOptions
	cmp    *comparer // of --compare; nil without

	id        string
	voiceOnly bool // no camera here: answer a video call with voice
	connected time.Time
	ended     time.Time
	outcome   string

	// Timers; nil until armed.
	inviteBy <-chan time.Time // callee, until an invite rings: --wait
	cancelAt <-chan time.Time // caller, while ringing: --cancel-after
	hangupAt <-chan time.Time // once connected: --hold
	answerAt <-chan time.Time // callee: --ring
	muteAt   <-chan time.Time
	switchAt <-chan time.Time
}

// callOptions are the flags call and answer share.
type callOptions struct {
	hold          time.Duration
	muteAfter     time.Duration
	switchAfter   time.Duration
	testMedia     bool
	relayOnly     bool
	answerVoice   bool
	ringFor       time.Duration // let an invite ring this long before answering
	cancelAfter   time.Duration
	declineInvite bool
	// Video we send, when not media's default 640x480@30.
	width, height, frameRate int
	// Files to send instead of the camera's and the microphone's.
	videoFile, audioFile string
	compare              string // a Y4M file to measure the video received against
	cpuProfile           string // where to write a CPU profile of the run
}

func newCallFlow(cl *client.Client, out *printer, opts callOptions, cmp *comparer) *callFlow {
	f := &callFlow{cl: cl, out: out, opts: opts, cmp: cmp, events: make(chan callcore.Event, phoneEvents)}
	var onFrame func(string, *image.RGBA)
	if cmp != nil {
		onFrame = cmp.compare
	}
	f.phone = callcore.New(cl, callcore.Config{
		TestMedia: opts.testMedia,
		VideoFile: opts.videoFile,
		AudioFile: opts.audioFile,
		RelayOnly: opts.relayOnly,
		Width:     opts.width,
		Height:    opts.height,
		FrameRate: opts.frameRate,
		OnFrame:   onFrame,
		Ringer:    ringer{out},
		OnEvent: func(ev callcore.Event) {
			if ev.Type == callcore.EventState && ev.State == callcore.Incoming {
				announce(out, ev.Call)
			}
			select {
			case f.events <- ev:
			default:
				out.event(line{Event: "error", Error: "event queue full; an event was dropped"})
			}
		},
	})
	return f
}

// place invites, then follows the call to its end.
func (f *callFlow) place(ctx context.Context, inv *protocol.CallInvite) error {
	defer f.phone.Close()
	call, err := f.phone.Call(inv.Conversation, inv.Media, inv.Invitees, time.Duration(inv.TimeoutMS)*time.Millisecond)
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}
	f.id = call.ID
	var invitees []string
	for _, p := range call.Participants[1:] {
		invitees = append(invitees, p.User)
	}
	f.out.event(line{Event: "invite_sent", CallID: f.id, Conversation: call.Conversation, Media: call.Media, Invitees: invitees})
	if f.opts.cancelAfter > 0 {
		f.cancelAt = time.After(f.opts.cancelAfter)
	}
	return f.follow(ctx)
}

// answer waits at most wait for a call to ring, accepts or declines it,
// then follows it to its end.
func (f *callFlow) answer(ctx context.Context, wait time.Duration) error {
	defer f.phone.Close()
	f.inviteBy = time.After(wait)
	return f.follow(ctx)
}

// join waits at most wait to hear of the group call going on in conv
// (the server tells a device of the calls it can see when it connects),
// joins it, then follows it to its end.
func (f *callFlow) join(ctx context.Context, conv string, wait time.Duration) error {
	defer f.phone.Close()
	deadline := time.After(wait)
	for f.id == "" {
		select {
		case ev, ok := <-f.cl.Events():
			if !ok {
				return errors.New("the connection closed")
			}
			f.phone.HandleEvent(ev)
			var u protocol.CallUpdate
			if ev.Type == protocol.TypeCallUpdate && ev.Decode(&u) == nil && u.Call.Conversation == conv && u.Call.State != protocol.CallEnded {
				f.id = u.Call.ID
			}
		case <-deadline:
			return fmt.Errorf("no call going on in %s within the --wait time", conv)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := f.phone.Join(f.id); err != nil {
		return fmt.Errorf("join: %w", err)
	}
	f.out.event(line{Event: "join_sent", CallID: f.id, Conversation: conv})
	return f.follow(ctx)
}

// follow runs the call: events of the connection go to the engine (and
// are printed), events of the engine are acted on, timers fire, until the
// call is over for this device.
func (f *callFlow) follow(ctx context.Context) error {
	for f.outcome == "" {
		select {
		case ev, ok := <-f.cl.Events():
			if !ok {
				return errors.New("the connection closed")
			}
			f.print(ev)
			f.phone.HandleEvent(ev)
		case ev := <-f.events:
			f.handle(ev)
		case <-f.inviteBy:
			return errors.New("no incoming call within the --wait time")
		case <-f.cancelAt:
			f.cancelAt = nil
			f.act("cancel", f.phone.Hangup())
		case <-f.answerAt:
			f.answerAt = nil
			f.respond()
		case <-f.hangupAt:
			f.hangupAt = nil
			f.act("hangup", f.phone.Hangup())
		case <-f.muteAt:
			f.muteAt = nil
			f.act("mute", f.phone.SetMuted(true))
		case <-f.switchAt:
			f.switchAt = nil
			f.act("switch_to_audio", f.phone.SwitchToAudio())
		case <-ctx.Done():
			// Leave the call rather than leave it ringing or held until
			// the server's timeouts.
			_ = f.phone.Hangup()
			return ctx.Err()
		}
	}
	counters, setup := f.phone.Counters()
	s := summary{Summary: true, CallID: f.id, Outcome: f.outcome, mediaStats: mediaStats{
		VideoFramesDecoded: counters.VideoFramesDecoded, AudioPacketsReceived: counters.AudioPacketsReceived}}
	for user, r := range counters.Senders {
		if s.Peers == nil {
			s.Peers = map[string]mediaStats{}
		}
		s.Peers[user] = mediaStats{VideoFramesDecoded: r.VideoFramesDecoded, AudioPacketsReceived: r.AudioPacketsReceived}
	}
	if !f.connected.IsZero() {
		s.SetupMS = setup.Milliseconds()
		s.DurationMS = f.ended.Sub(f.connected).Milliseconds()
	}
	if f.cmp != nil {
		psnr, n := f.cmp.result()
		s.PSNR, s.FramesCompared = &psnr, &n
	}
	f.out.json(s)
	return nil
}

// print shows what the server says about the call.
func (f *callFlow) print(ev client.Event) {
	switch ev.Type {
	case client.EventDisconnected, client.EventReconnected:
		f.out.event(line{Event: ev.Type, CallID: f.id})
	case protocol.TypeCallUpdate:
		var u protocol.CallUpdate
		if ev.Decode(&u) != nil || (f.id != "" && u.Call.ID != f.id) {
			return
		}
		l := line{Event: u.Event, CallID: u.Call.ID, User: u.User}
		if p := u.Call.Participant(u.User); p != nil {
			l.Reason = p.Reason
		}
		if u.Event == protocol.EventEnded {
			l.Outcome = u.Call.Outcome
		}
		f.out.event(l)
	}
}

// handle acts on what the engine says.
func (f *callFlow) handle(ev callcore.Event) {
	switch ev.Type {
	case callcore.EventState:
		f.state(ev)
	case callcore.EventCountdown:
		f.out.event(line{Event: "countdown", CallID: f.id, SecondsLeft: &ev.SecondsLeft})
	case callcore.EventStats:
		f.out.event(line{Event: "stats", CallID: f.id, Stats: statsOf(ev)})
	case callcore.EventError:
		f.out.event(line{Event: "error", CallID: f.id, Error: ev.Err.Error()})
	}
}

func (f *callFlow) state(ev callcore.Event) {
	switch ev.State {
	case callcore.Incoming:
		if f.id != "" {
			return
		}
		f.id = ev.Call.ID
		f.inviteBy = nil // --wait bounds the wait for the invite, not the call
		f.out.event(line{Event: "incoming", CallID: f.id, User: ev.Call.Caller, Conversation: ev.Call.Conversation,
			Media: ev.Call.Media, TimeLeftMS: f.cl.TimeLeft(ev.Call.DeadlineFor(f.cl.User())).Milliseconds()})
		f.voiceOnly = ev.VoiceOnly
		if f.opts.ringFor > 0 {
			f.answerAt = time.After(f.opts.ringFor)
			return
		}
		f.respond()
	case callcore.Active:
		f.connected = time.Now()
		f.cancelAt = nil
		f.hangupAt = time.After(f.opts.hold)
		if f.opts.muteAfter > 0 {
			f.muteAt = time.After(f.opts.muteAfter)
		}
		if f.opts.switchAfter > 0 {
			f.switchAt = time.After(f.opts.switchAfter)
		}
		f.out.event(line{Event: "connected", CallID: f.id})
	case callcore.Ended:
		if ev.Call.ID != f.id {
			return
		}
		f.outcome, f.ended = ev.Outcome, time.Now()
		if f.outcome == protocol.EventAnsweredElsewhere {
			// The call went on, on another device of ours.
			f.outcome = protocol.OutcomeCompleted
		}
	}
}

// respond accepts or declines the ringing call.
func (f *callFlow) respond() {
	if f.opts.declineInvite {
		f.act("decline", f.phone.Decline())
		return
	}
	f.act("accept", f.phone.Accept(f.opts.answerVoice || f.voiceOnly))
}

// act prints how an action went.
func (f *callFlow) act(name string, err error) {
	if err != nil {
		f.out.event(line{Event: name + "_failed", CallID: f.id, Error: err.Error()})
		return
	}
	f.out.event(line{Event: name + "_sent", CallID: f.id})
}

// ringer is how the CLI rings: it prints what the desktop app would do.
type ringer struct{ out *printer }

func (r ringer) Ringtone(on bool) { r.out.event(line{Event: "ringtone", On: &on}) }

// announce prints what the desktop app does when a call rings here: it
// brings the invite to the front and sends a notification. It prints as
// the engine delivers the event, so that these lines come before the
// ringtone's.
func announce(out *printer, c protocol.Call) {
	out.event(line{Event: "bring_to_front"})
	kind := "voice"
	if c.Media == protocol.MediaVideo {
		kind = "video"
	}
	out.event(line{Event: "notify", Title: "Incoming " + kind + " call", Body: c.Caller + " is calling you"})
}

func statsOf(ev callcore.Event) *stats {
	s := ev.Stats
	return &stats{RTTMS: s.RTT.Milliseconds(), LossIn: s.LossIn, LossOut: s.LossOut,
		BitrateIn: s.BitrateIn, BitrateOut: s.BitrateOut, FrameRate: s.FrameRate, Quality: int(s.Quality)}
}
