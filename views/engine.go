package views

import (
	"time"

	"fyne.io/fyne/v2"

	"parley/callcore"

	"parley/protocol"
)

// Dialer places and joins calls; *callcore.Phone implements it. Its
// methods wait for the server, so views call them off the UI goroutine.
type Dialer interface {
	Call(conv, media string, invitees []string, timeout time.Duration) (protocol.Call, error)
	Join(callID string) error
}

// CallControl acts on the current call; *callcore.Phone implements it.
// Its methods wait for the server, so views call them off the UI goroutine.
type CallControl interface {
	Accept(voiceOnly bool) error
	Decline() error
	Hangup() error
	SetMuted(muted bool) error
	SetCameraOff(off bool) error
	SwitchToAudio() error
	AddToCall(users []string) error
	// State is the engine's state and call: our own mute and camera are
	// in it before any event tells.
	State() (callcore.State, protocol.Call)
}

// Messenger sends chat messages; the app implements it on the client. It
// waits for the server, so views call it off the UI goroutine.
type Messenger interface {
	SendText(conv, text string) error
	CreateGroup(name string, members []string) (string, error)
}

// background runs f off the UI goroutine and hands its error, if any, to
// onErr on the UI goroutine.
func background(f func() error, onErr func(error)) {
	go func() {
		if err := f(); err != nil && onErr != nil {
			fyne.Do(func() { onErr(err) })
		}
	}()
}
