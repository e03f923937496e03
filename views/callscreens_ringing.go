package views

// What the person sees while a call rings: the invite window of an
// incoming call and the outgoing screen of a call they placed.

func (s *CallScreens) showInvite(voiceOnly bool) {
	s.closeInvite()
	s.screen = ScreenInvite
	s.invite = NewInviteWindow(s.App, s.call, voiceOnly,
		func(voice bool) {
			c := s.Control
			background(func() error { return c.Accept(voice) }, s.fail)
		},
		func() {
			c := s.Control
			background(c.Decline, s.fail)
		})
}

func (s *CallScreens) closeInvite() {
	if s.invite != nil {
		s.invite.Close()
		s.invite = nil
	}
}

func (s *CallScreens) showOutgoing() {
	s.show()
}
