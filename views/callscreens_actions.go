package views

import (
	"parley/callcore"
	"parley/protocol"
)

// What the buttons of the call screens ask of the engine.

// actions are the call screens' buttons, wired to the engine.
func (s *CallScreens) actions() CallActions {
	return CallActions{
		Accept: func(voice bool) {
			c := s.Control
			background(func() error { return c.Accept(voice) }, s.fail)
		},
		Decline: func() {
			c := s.Control
			background(c.Decline, s.fail)
		},
		Hangup: s.hangup,
		ToVoice: func() {
			c := s.Control
			background(c.SwitchToAudio, s.fail)
		},
		Mute: s.toggleMute, Camera: s.toggleCamera,
		SwitchCamera: func() {
			if s.OnSwitchCamera != nil {
				s.OnSwitchCamera()
			}
		},
		Speaker: func(device string) {
			if s.OnSpeaker != nil {
				s.OnSpeaker(device)
			}
		},
		ToggleSpeaker: s.toggleSpeaker,
		InviteMore:    s.inviteMore, Minimize: s.Minimize, Restore: s.Restore,
	}
}

// toggleSpeaker silences the call's sound on this device, or plays it
// again: the app does it at once, without the engine.
func (s *CallScreens) toggleSpeaker() {
	if !s.inCall() {
		return
	}
	s.speakerOff = !s.speakerOff
	if s.OnSpeakerOff != nil {
		s.OnSpeakerOff(s.speakerOff)
	}
	s.refresh()
}

// toggleMute asks the engine to mute or unmute; the screens show the
// request until the engine confirms it, or drop it if it fails.
func (s *CallScreens) toggleMute() {
	m := !s.Snapshot().Muted
	s.request(&s.wantMuted, m, func(c CallControl) error { return c.SetMuted(m) })
}

func (s *CallScreens) toggleCamera() {
	off := !s.Snapshot().CameraOff
	s.request(&s.wantCameraOff, off, func(c CallControl) error { return c.SetCameraOff(off) })
}

// request shows want as *pending and sends it.
func (s *CallScreens) request(pending **bool, want bool, send func(CallControl) error) {
	if !s.inCall() {
		return
	}
	*pending = &want
	s.refresh()
	c := s.Control
	background(func() error { return send(c) }, func(err error) {
		if *pending != nil && **pending == want {
			*pending = nil
			s.refresh()
		}
		s.fail(err)
	})
}

// inviteMore rings more group members into the call.
func (s *CallScreens) inviteMore() {
	in := map[string]bool{}
	for _, p := range s.call.Participants {
		if inCall(p) {
			in[p.User] = true
		}
	}
	var free []string
	for _, u := range s.Members(s.call.Conversation) {
		if !in[u] && u != s.Me {
			free = append(free, u)
		}
	}
	room := protocol.MaxCallSize - len(in)
	if len(free) == 0 || room <= 0 || s.win == nil {
		s.status = T("Nobody else to invite")
		s.refresh()
		return
	}
	c := s.Control
	ShowMemberPicker(s.win, T("Invite more"), free, room, func(users []string) {
		background(func() error { return c.AddToCall(users) }, s.fail)
	})
}

// inCallState tells whether a direct call in st has media (or had: an
// ended call shows how it ended on its screen).
func inCallState(st callcore.State) bool {
	return st == callcore.Connecting || st == callcore.Active || st == callcore.Ended || st == callcore.Idle
}
