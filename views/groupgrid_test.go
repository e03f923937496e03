package views

import (
	"fmt"
	"image"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
)

// groupCall is a group call of alice (the caller) and others, joined.
func groupCall(mediaType string, others ...string) protocol.Call {
	c := protocol.Call{ID: "g", Conversation: "group:g1", Group: true, Media: mediaType, Caller: "alice",
		State: protocol.CallActive, Participants: []protocol.Participant{{User: "alice", State: protocol.StateJoined}}}
	for _, u := range others {
		c.Participants = append(c.Participants, protocol.Participant{User: u, State: protocol.StateJoined})
	}
	return c
}

// users are n names: ua, ub, …
func users(n int) []string {
	var out []string
	for i := range n {
		out = append(out, "u"+string(rune('a'+i)))
	}
	return out
}

// inGroupCall is alice's call screens in the active call c.
func inGroupCall(t *testing.T, c protocol.Call) *CallScreens {
	t.Helper()
	s, _, _ := newScreens(test.NewTempApp(t), "alice")
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	if _, ok := s.Current().(*GroupScreen); !ok {
		t.Fatalf("screen %T, want the group call", s.Current())
	}
	return s
}

// fromMedia calls f on another goroutine, as the media goroutines do, and
// waits for it.
func fromMedia(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// changed tells the screens that participant user of c changed.
func changed(s *CallScreens, c protocol.Call, user string, what string) {
	s.HandleEvent(callcore.Event{Type: callcore.EventRemote, What: what, Call: c, Remote: *c.Participant(user)})
}

func TestGridShape(t *testing.T) {
	landscape := fyne.NewSize(960, 720)
	tall := fyne.NewSize(520, 480)
	for _, tc := range []struct {
		n          int
		area       fyne.Size
		cols, rows int
	}{
		{1, landscape, 1, 1},
		{2, landscape, 2, 1},
		{3, landscape, 2, 2},
		{4, landscape, 2, 2},
		{5, landscape, 3, 2},
		{6, landscape, 3, 2},
		{7, landscape, 3, 3},
		{8, landscape, 3, 3},
		{9, landscape, 3, 3},
		{2, tall, 1, 2}, // stacked: two landscape tiles side by side would be smaller
		{4, tall, 2, 2},
		{9, tall, 3, 3},
		{5, fyne.NewSize(2000, 400), 5, 1}, // a wide strip: one row
	} {
		t.Run(fmt.Sprintf("%d in %vx%v", tc.n, tc.area.Width, tc.area.Height), func(t *testing.T) {
			if c, r := gridShape(tc.n, tc.area); c != tc.cols || r != tc.rows {
				t.Fatalf("%dx%d, want %dx%d", c, r, tc.cols, tc.rows)
			}
		})
	}
}

func TestGroupGridLaysOutTwoToNineTiles(t *testing.T) {
	for n := 2; n <= protocol.MaxCallSize; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := inGroupCall(t, groupCall(protocol.MediaVideo, users(n-1)...))
			if len(group(s).Tiles) != n || len(group(s).grid.Objects) != n {
				t.Fatalf("%d tiles, %d in the grid", len(group(s).Tiles), len(group(s).grid.Objects))
			}
			for _, size := range []fyne.Size{fyne.NewSize(960, 720), fyne.NewSize(520, 480), fyne.NewSize(1280, 400)} {
				group(s).grid.Resize(size)
				cols, rows := gridShape(n, size)
				xs, ys := map[float32]bool{}, map[float32]bool{}
				for i, o := range group(s).grid.Objects {
					p, sz := o.Position(), o.Size()
					xs[p.X], ys[p.Y] = true, true
					if sz.Width < sz.Height || sz.Width == 0 {
						t.Fatalf("in %v tile %d is %v: not landscape", size, i, sz)
					}
					if p.X < -0.01 || p.Y < -0.01 || p.X+sz.Width > size.Width+0.01 || p.Y+sz.Height > size.Height+0.01 {
						t.Fatalf("in %v tile %d at %v, %v: outside", size, i, p, sz)
					}
					for _, other := range group(s).grid.Objects[:i] {
						q := other.Position()
						if p.X < q.X+sz.Width && q.X < p.X+sz.Width && p.Y < q.Y+sz.Height && q.Y < p.Y+sz.Height {
							t.Fatalf("in %v tiles overlap at %v and %v", size, p, q)
						}
					}
				}
				if len(ys) != rows || (n%cols == 0 && len(xs) != cols) {
					t.Fatalf("in %v: %d rows, %d columns of x, want %dx%d", size, len(ys), len(xs), cols, rows)
				}
			}
		})
	}
}

func TestGroupFramesReachTheirTiles(t *testing.T) {
	s := inGroupCall(t, groupCall(protocol.MediaVideo, "ua", "ub"))
	g := group(s)
	for _, u := range []string{"alice", "ua", "ub"} {
		if g.Tiles[u].ShowsVideo() {
			t.Fatalf("%s's tile shows video before any frame", u)
		}
	}
	fromMedia(func() {
		s.UserFrame("ub", image.NewRGBA(image.Rect(0, 0, 64, 48)))
		s.LocalFrame(image.NewRGBA(image.Rect(0, 0, 32, 24)))
	})
	for _, tc := range []struct {
		user   string
		frames int
	}{{"alice", 1}, {"ua", 0}, {"ub", 1}} {
		tile := g.Tiles[tc.user]
		if tile.Video.Frames() != tc.frames || tile.ShowsVideo() != (tc.frames > 0) {
			t.Errorf("%s's tile: %d frames, shows video %v; want %d", tc.user, tile.Video.Frames(), tile.ShowsVideo(), tc.frames)
		}
	}
	if got := g.Tiles["alice"].Video.Image.Image.Bounds().Dx(); got != 32 {
		t.Errorf("our tile shows a frame %d wide, want the local preview's 32", got)
	}
	if s.Remote.Frames() != 0 || s.Local.Frames() != 0 {
		t.Errorf("the direct call's surfaces got frames: remote %d, local %d", s.Remote.Frames(), s.Local.Frames())
	}

	// A frame of someone without a tile goes nowhere.
	fromMedia(func() { s.UserFrame("zed", image.NewRGBA(image.Rect(0, 0, 4, 3))) })
	if s.Remote.Frames() != 0 {
		t.Error("a stranger's frame reached the remote surface")
	}

	// Once the call ended, frames go to the direct call's surfaces again.
	ub := g.Tiles["ub"]
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: groupCall(protocol.MediaVideo)})
	fromMedia(func() { s.UserFrame("ub", image.NewRGBA(image.Rect(0, 0, 4, 3))) })
	if s.Remote.Frames() != 1 || ub.Video.Frames() != 1 {
		t.Errorf("after the call: remote %d frames, ub's tile %d", s.Remote.Frames(), ub.Video.Frames())
	}
}

func TestGroupTileShowsTheAvatarWhileTheCameraIsOff(t *testing.T) {
	c := groupCall(protocol.MediaVideo, "ua")
	s := inGroupCall(t, c)
	tile := group(s).Tiles["ua"]
	frame := func() { fromMedia(func() { s.UserFrame("ua", image.NewRGBA(image.Rect(0, 0, 4, 3))) }) }
	frame()
	if !tile.ShowsVideo() {
		t.Fatal("no video after a frame")
	}

	c.Participant("ua").CameraOff = true
	changed(s, c, "ua", protocol.EventMediaState)
	if tile.ShowsVideo() || tile.Status.Text != "Camera off" {
		t.Fatalf("camera off: shows video %v, status %q", tile.ShowsVideo(), tile.Status.Text)
	}
	frame() // one still on its way
	if tile.ShowsVideo() || tile.Video.Frames() != 1 {
		t.Fatalf("a frame after the camera went off: shows video %v, %d frames", tile.ShowsVideo(), tile.Video.Frames())
	}

	c.Participant("ua").CameraOff = false
	changed(s, c, "ua", protocol.EventMediaState)
	if tile.ShowsVideo() || tile.Status.Text != "" {
		t.Fatalf("camera on, no frame yet: shows video %v, status %q", tile.ShowsVideo(), tile.Status.Text)
	}
	frame()
	if !tile.ShowsVideo() {
		t.Fatal("camera on: no video after a frame")
	}
}

func TestGroupVoiceCallShowsAvatars(t *testing.T) {
	s := inGroupCall(t, groupCall(protocol.MediaAudio, "ua"))
	fromMedia(func() { s.UserFrame("ua", image.NewRGBA(image.Rect(0, 0, 4, 3))) })
	if group(s).Tiles["ua"].ShowsVideo() || group(s).Camera.Visible() {
		t.Fatalf("voice call: ua's tile shows video %v, camera button %v", group(s).Tiles["ua"].ShowsVideo(), group(s).Camera.Visible())
	}
}

func TestGroupTileMuteBadge(t *testing.T) {
	c := groupCall(protocol.MediaVideo, users(8)...)
	c.Participants[1].Muted = true
	s := inGroupCall(t, c)
	muted := func() []string {
		var out []string
		for u, tile := range group(s).Tiles {
			if tile.Muted.Visible() {
				out = append(out, u)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, step := range []struct {
		user  string
		muted bool
		want  []string
	}{
		{"", false, []string{"ua"}},
		{"uc", true, []string{"ua", "uc"}},
		{"ua", false, []string{"uc"}},
		{"alice", true, []string{"alice", "uc"}},
	} {
		if step.user != "" {
			c.Participant(step.user).Muted = step.muted
			changed(s, c, step.user, protocol.EventMediaState)
		}
		if got := muted(); !slices.Equal(got, step.want) {
			t.Fatalf("after %s muted=%v: badges on %v, want %v", step.user, step.muted, got, step.want)
		}
	}
}

func TestGroupSpeakingHighlightFollowsTheSpeakers(t *testing.T) {
	c := groupCall(protocol.MediaVideo, "ua", "ub", "uc")
	s := inGroupCall(t, c)
	highlighted := func() []string {
		var out []string
		for u, tile := range group(s).Tiles {
			if tile.Speaking.Visible() {
				out = append(out, u)
			}
		}
		slices.Sort(out)
		return out
	}
	if got := highlighted(); got != nil {
		t.Fatalf("highlighted %v before anyone spoke", got)
	}
	for _, tc := range []struct {
		speakers, want []string
	}{
		{[]string{"ub", "alice"}, []string{"alice", "ub"}},
		{[]string{"uc"}, []string{"uc"}},
		{[]string{"uc", "zed"}, []string{"uc"}}, // someone without a tile
		{nil, nil},
		{[]string{"ud"}, nil}, // about to join
	} {
		s.HandleEvent(callcore.Event{Type: callcore.EventSpeaking, Call: c, Speakers: tc.speakers})
		if got := highlighted(); !slices.Equal(got, tc.want) {
			t.Fatalf("speakers %v: highlighted %v, want %v", tc.speakers, got, tc.want)
		}
	}
	// Someone who joins while speaking comes highlighted.
	c.Participants = append(c.Participants, protocol.Participant{User: "ud", State: protocol.StateJoined})
	changed(s, c, "ud", protocol.EventAccepted)
	if got := highlighted(); !slices.Equal(got, []string{"ud"}) {
		t.Fatalf("after ud joined: highlighted %v", got)
	}
}

func TestGroupOwnTileShowsOurConnection(t *testing.T) {
	c := groupCall(protocol.MediaVideo, "ua")
	s := inGroupCall(t, c)
	s.HandleEvent(callcore.Event{Type: callcore.EventStats, Call: c, Stats: media.Stats{Quality: media.QualityPoor}})
	if group(s).Quality.Level != media.QualityPoor {
		t.Fatalf("quality %v", group(s).Quality.Level)
	}
	if !shows(group(s).Tiles["alice"].Object(), "Poor") || shows(group(s).Tiles["ua"].Object(), "Poor") {
		t.Fatal("the quality is not on our own tile only")
	}
}

func TestGroupCallInviteMoreAndLateJoin(t *testing.T) {
	s, ph, clk := newScreens(test.NewTempApp(t), "alice")
	c := groupCall(protocol.MediaVideo, users(8)...)
	c.Participants[1].Muted = true
	members := append([]string{"alice"}, users(8)...)
	s.Members = func(string) []string { return append(members, "zed") }
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Connecting, Call: c})
	if g, ok := s.Current().(*GroupScreen); !ok || len(g.Tiles) != 9 {
		t.Fatalf("screen %T, want the group call of 9", s.Current())
	}
	// Full: nobody more to invite.
	test.Tap(group(s).Invite)
	ph.none(t)

	c.Participants[8].State = protocol.StateLeft
	changed(s, c, c.Participants[8].User, protocol.EventLeft)
	clk.Advance(leftLinger)
	if len(group(s).Tiles) != 8 || len(group(s).grid.Objects) != 8 {
		t.Fatalf("%d tiles after one left", len(group(s).Tiles))
	}

	// Room again: "Invite more" rings zed, whose tile rings, then joins.
	test.Tap(group(s).Invite)
	top := s.Window().Canvas().Overlays().Top()
	if top == nil || !shows(top, "zed") {
		t.Fatal("Invite more does not offer zed")
	}
	c.Participants = append(c.Participants, protocol.Participant{User: "zed", State: protocol.StateRinging})
	changed(s, c, "zed", protocol.EventRinging)
	zed := group(s).Tiles["zed"]
	if zed == nil || zed.Status.Text != "Ringing…" || len(group(s).grid.Objects) != 9 {
		t.Fatalf("zed invited: tile %v, %d in the grid", zed, len(group(s).grid.Objects))
	}
	c.Participant("zed").State = protocol.StateJoined
	changed(s, c, "zed", protocol.EventAccepted)
	if group(s).Tiles["zed"] != zed || zed.Status.Text != "" {
		t.Fatalf("zed joined: status %q", zed.Status.Text)
	}
	fromMedia(func() { s.UserFrame("zed", image.NewRGBA(image.Rect(0, 0, 4, 3))) })
	if !zed.ShowsVideo() {
		t.Fatal("the late joiner's video does not show")
	}
}

func TestUserFrameInADirectCallIsTheRemoteVideo(t *testing.T) {
	s, _, _ := newScreens(test.NewTempApp(t), "bob")
	c := call(protocol.MediaVideo, "alice", protocol.CallActive)
	c.Participants[1].State = protocol.StateJoined
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: c})
	fromMedia(func() {
		s.UserFrame("alice", image.NewRGBA(image.Rect(0, 0, 4, 3)))
		s.LocalFrame(image.NewRGBA(image.Rect(0, 0, 4, 3)))
	})
	if s.Remote.Frames() != 1 || s.Local.Frames() != 1 {
		t.Fatalf("remote %d frames, local %d", s.Remote.Frames(), s.Local.Frames())
	}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Ended, Call: c})
}

// group is the group call screen that s shows.
func group(s *CallScreens) *GroupScreen { return s.Current().(*GroupScreen) }
