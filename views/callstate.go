package views

import (
	"fyne.io/fyne/v2"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

// CallSnapshot is everything a call screen shows, read from the engine:
// its state and call (our own mute and camera are our participant's in
// the call), with what the engine does not keep (the timer's text, the
// seconds left, the quality, who speaks, a status line).
type CallSnapshot struct {
	Me    string
	Title string // the conversation's: a group's name
	State callcore.State
	Call  protocol.Call
	// Muted and CameraOff are ours: the engine's, or what we asked for
	// while it has not answered yet.
	Muted, CameraOff bool
	// SpeakerOff: this device plays nothing of the call (the speaker
	// button); the engine does not know of it.
	SpeakerOff bool
	// NoSpeaker: the app found no speaker to play the call's sound on,
	// so the person hears nothing of it; the screens say so while the
	// call lasts.
	NoSpeaker bool
	// VoiceOnly: an incoming video call that this device can only answer
	// with voice (no camera).
	VoiceOnly   bool
	Time        string // the call timer, "" before the call connects
	SecondsLeft int    // of a ringing call
	Quality     media.Quality
	Speakers    []string
	// Status is the line under the call: an error or how the call ended;
	// when empty, the state's own words ("Connecting…").
	Status string
}

// Peer is the other person of a direct call.
func (c CallSnapshot) Peer() string {
	if c.Call.Caller != c.Me {
		return c.Call.Caller
	}
	for _, p := range c.Call.Participants {
		if p.User != c.Me {
			return p.User
		}
	}
	return ""
}

// PeerState is the other person's participant entry, or a blank one.
func (c CallSnapshot) PeerState() protocol.Participant {
	if p := c.Call.Participant(c.Peer()); p != nil {
		return *p
	}
	return protocol.Participant{}
}

// Video tells whether the call is a video call.
func (c CallSnapshot) Video() bool { return c.Call.Media == protocol.MediaVideo }

// StatusText is the line a screen shows under the call, with a missing
// speaker said after it while the call lasts.
func (c CallSnapshot) StatusText() string {
	status := c.Status
	switch {
	case status != "":
	case c.State == callcore.Connecting:
		status = T("Connecting…")
	case c.State == callcore.Outgoing:
		status = T("Waiting for answer…")
	}
	if !c.NoSpeaker || (c.State != callcore.Connecting && c.State != callcore.Active) {
		return status
	}
	if status == "" {
		return T("No speaker found: you cannot hear the others")
	}
	return status + " · " + T("No speaker found")
}

// CallScreen is one screen of a call: the outgoing, voice, video or group
// screen in the call window, the invite window of an incoming call, or
// the mini window. The call screens hand it every change of the call.
type CallScreen interface {
	// Update shows the call as snap has it; a screen refreshes only what
	// changed, as it runs every second for the timer.
	Update(snap CallSnapshot)
	// Close stops its timers and closes its own window, if it has one.
	Close()
}

// callWindowScreen is a CallScreen drawn in the call window.
type callWindowScreen interface {
	CallScreen
	Object() fyne.CanvasObject
	// Fits tells whether the screen shows the call snap, or another
	// screen must take its place.
	Fits(snap CallSnapshot) bool
}

// CallActions are what the buttons of the call screens do; the call
// screens wire them to the engine.
type CallActions struct {
	Accept                     func(voice bool)
	Decline, Hangup, ToVoice   func()
	Mute, Camera, SwitchCamera func()
	Speaker                    func(device string)
	ToggleSpeaker              func()
	InviteMore                 func()
	Minimize, Restore          func()
}

// outcomeTexts are how a call ended, in the chat's records and on the
// call screens (a completed call's record shows its duration instead).
var outcomeTexts = map[string]string{
	protocol.OutcomeCompleted:       "Call ended",
	protocol.EventLeft:              "Call ended",
	protocol.EventAnsweredElsewhere: "Answered on another device",
	protocol.OutcomeCancelled:       "Canceled",
	protocol.OutcomeDeclined:        "Declined",
	protocol.OutcomeNoAnswer:        "No answer",
	protocol.OutcomeBusy:            "Line busy",
}

// OutcomeText says how a call ended; any outcome not in the table is a
// failed call.
func OutcomeText(outcome string) string {
	if t, ok := outcomeTexts[outcome]; ok {
		return T(t)
	}
	return T("Call failed")
}

// setText changes a text only when it differs: Update runs every second.
func setText(t interface {
	Refresh()
}, field *string, s string) {
	if *field != s {
		*field = s
		t.Refresh()
	}
}
