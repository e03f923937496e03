package views

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/protocol"
)

func TestGroupTileSaysWhoLeftThenGoes(t *testing.T) {
	for _, tc := range []struct {
		state, what, want string
	}{
		{protocol.StateLeft, protocol.EventLeft, "ua left"},
		{protocol.StateDeclined, protocol.EventDeclined, "ua declined"},
		{protocol.StateNoAnswer, protocol.EventNoAnswer, "ua did not answer"},
	} {
		t.Run(tc.state, func(t *testing.T) {
			s, _, clk := newScreens(test.NewTempApp(t), "alice")
			c := groupCall(protocol.MediaVideo, "ua", "ub")
			s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
			tile := group(s).Tiles["ua"]
			c.Participants[1].State = tc.state
			changed(s, c, "ua", tc.what)
			if len(group(s).grid.Objects) != 3 || !shows(tile.Object(), tc.want) {
				t.Fatalf("%d tiles, ua's shows %q, want %q", len(group(s).grid.Objects), texts(tile.Object()), tc.want)
			}
			clk.Advance(leftLinger - time.Millisecond)
			if len(group(s).grid.Objects) != 3 {
				t.Fatal("the tile went before its time")
			}
			clk.Advance(time.Millisecond)
			if len(group(s).grid.Objects) != 2 || group(s).Tiles["ua"] != nil {
				t.Fatalf("%d tiles after the linger", len(group(s).grid.Objects))
			}
		})
	}
}

func TestGroupTileOfOneWhoComesBackStays(t *testing.T) {
	s, _, clk := newScreens(test.NewTempApp(t), "alice")
	c := groupCall(protocol.MediaAudio, "ua", "ub")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	c.Participants[1].State = protocol.StateLeft
	changed(s, c, "ua", protocol.EventLeft)
	c.Participants[1].State = protocol.StateRinging
	changed(s, c, "ua", protocol.EventRinging)
	clk.Advance(leftLinger)
	if tile := group(s).Tiles["ua"]; tile == nil || tile.Status.Text != "Ringing…" || len(group(s).grid.Objects) != 3 {
		t.Fatalf("ua invited again: tile %v, %d tiles", tile, len(group(s).grid.Objects))
	}
	// Hanging up stops the tiles' timers with the screen's.
	c.Participants[2].State = protocol.StateLeft
	changed(s, c, "ub", protocol.EventLeft)
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: c})
	clk.Advance(s.EndLinger)
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers pending after the call", n)
	}
}

func TestInviteMoreOffersWhoLeftOrDeclined(t *testing.T) {
	s, _, _ := newScreens(test.NewTempApp(t), "alice")
	c := groupCall(protocol.MediaVideo, "joined", "ringing", "left", "declined", "busy")
	for _, p := range []struct{ user, state string }{
		{"ringing", protocol.StateRinging}, {"left", protocol.StateLeft},
		{"declined", protocol.StateDeclined}, {"busy", protocol.StateBusy},
	} {
		c.Participant(p.user).State = p.state
	}
	s.Members = func(string) []string {
		return []string{"alice", "joined", "ringing", "left", "declined", "busy", "never"}
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	test.Tap(group(s).Invite)
	top := s.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no picker")
	}
	var offered []string
	for _, u := range []string{"alice", "joined", "ringing", "left", "declined", "busy", "never"} {
		if shows(top, u) {
			offered = append(offered, u)
		}
	}
	if want := []string{"left", "declined", "busy", "never"}; !slices.Equal(offered, want) {
		t.Fatalf("offered %q, want %q", offered, want)
	}
}
