package views

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

func TestMoreMenuShowsExactlyTheEnabledEntries(t *testing.T) {
	test.NewTempApp(t)
	for _, c := range []struct {
		e    CallEntries
		want []string
	}{
		{CallEntries{true, true}, []string{"Voice call", "Video call"}},
		{CallEntries{true, false}, []string{"Voice call"}},
		{CallEntries{false, true}, []string{"Video call"}},
		{CallEntries{false, false}, nil},
	} {
		w := test.NewWindow(nil)
		chat := NewChatView(w, "alice", direct(), newFakePhone(), newFakePhone(), c.e)
		w.SetContent(chat.Object())
		if got := menuLabels(chat.MoreMenu()); !slices.Equal(got, c.want) {
			t.Errorf("entries %+v: menu %q, want %q", c.e, got, c.want)
		}
		if chat.More.Visible() != (len(c.want) > 0) {
			t.Errorf("entries %+v: more button visible %v", c.e, chat.More.Visible())
		}
		if c.e.Voice && c.e.Video {
			test.Tap(chat.More)
			over := w.Canvas().Overlays().Top()
			if over == nil || !shows(over, "Voice call") || !shows(over, "Video call") {
				t.Errorf("tapping + shows no menu with both entries")
			}
		}
		chat.SetEntries(CallEntries{})
		if chat.More.Visible() {
			t.Errorf("more button visible with no entries")
		}
		w.Close()
	}
}

func TestMoreMenuAsksTheEngineForTheRightCall(t *testing.T) {
	chat, ph := openDirectChat(t)
	m := chat.MoreMenu()
	m.Items[0].Action()
	ph.expect(t, "call direct:alice:bob audio ")
	m.Items[1].Action()
	ph.expect(t, "call direct:alice:bob video ")
}

func TestGroupCallEntryOpensTheMemberPicker(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	members := []string{"alice"}
	for i := range 10 {
		members = append(members, "u"+string(rune('a'+i)))
	}
	conv := Conversation{ID: "group:g1", Title: "team", Group: true, Members: members}
	chat := NewChatView(w, "alice", conv, ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	chat.MoreMenu().Items[1].Action()
	ph.none(t)
	p := chat.Picker
	if p == nil {
		t.Fatal("no member picker")
	}
	if slices.Contains(p.order, "alice") || len(p.order) != 10 {
		t.Fatalf("picker offers %v", p.order)
	}
	for _, u := range members[1:] {
		p.Toggle(u) // the 9th and 10th are refused
	}
	if got := p.Picked(); len(got) != MaxGroupCallInvitees {
		t.Fatalf("picked %d, want at most %d", len(got), MaxGroupCallInvitees)
	}
	p.Confirm()
	ph.expect(t, "call group:g1 video "+strings.Join(members[1:9], ","))
}

func TestJoinBanner(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	chat := NewChatView(w, "alice", Conversation{ID: "group:g1", Title: "team", Group: true}, ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	if chat.banner.Visible() {
		t.Fatal("banner without a call")
	}
	chat.SetGroupCall(&protocol.Call{ID: "c1", Group: true, Media: protocol.MediaAudio,
		Participants: []protocol.Participant{{User: "bob", State: protocol.StateJoined}, {User: "carol", State: protocol.StateJoined}}})
	if !chat.banner.Visible() || !shows(chat.banner, "2 joined") {
		t.Fatalf("banner: %v", texts(chat.banner))
	}
	var join *widget.Button
	for _, o := range test.LaidOutObjects(chat.banner) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Join" {
			join = b
		}
	}
	test.Tap(join)
	ph.expect(t, "join c1")
	chat.SetGroupCall(nil)
	if chat.banner.Visible() {
		t.Fatal("banner stays after the call")
	}
}

func TestSendingText(t *testing.T) {
	chat, ph := openDirectChat(t)
	test.Type(chat.Input, "hello bob")
	chat.Input.OnSubmitted(chat.Input.Text)
	ph.expect(t, "send direct:alice:bob hello bob")
	if chat.Input.Text != "" {
		t.Fatalf("input keeps %q", chat.Input.Text)
	}
}

func TestCallRecordStrings(t *testing.T) {
	for _, c := range []struct {
		outcome string
		ms      int64
		want    string
	}{
		{protocol.OutcomeCompleted, 83_400, "Duration 01:23"},
		{protocol.OutcomeCancelled, 0, "Canceled"},
		{protocol.OutcomeDeclined, 0, "Declined"},
		{protocol.OutcomeNoAnswer, 0, "No answer"},
		{protocol.OutcomeBusy, 0, "Line busy"},
	} {
		m := protocol.Message{Type: protocol.KindCallRecord, Outcome: c.outcome, DurationMS: c.ms, Media: protocol.MediaVideo}
		if got := CallRecordText(m); got != c.want {
			t.Errorf("%s: %q, want %q", c.outcome, got, c.want)
		}
	}
}

func TestChatRendersCallRecords(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	at := time.Now().UnixMilli()
	msgs := []protocol.Message{
		{Seq: 1, From: "bob", Type: protocol.KindText, Text: "hi alice", TimeMS: at},
		{Seq: 2, From: "alice", Type: protocol.KindCallRecord, Media: protocol.MediaAudio, Outcome: protocol.OutcomeCompleted, DurationMS: 83_000, TimeMS: at},
		{Seq: 3, From: "bob", Type: protocol.KindCallRecord, Media: protocol.MediaVideo, Outcome: protocol.OutcomeBusy, TimeMS: at},
	}
	chat := NewChatView(w, "alice", direct(), ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	chat.SetMessages(msgs)
	if n := len(chat.Rows()); n != 3 {
		t.Fatalf("%d rows", n)
	}
	for i, want := range []string{"hi alice", "Duration 01:23", "Line busy"} {
		if !shows(chat.Rows()[i], want) {
			t.Errorf("row %d shows %q, want %q", i, texts(chat.Rows()[i]), want)
		}
	}
	chat.SetMessages(append(msgs, protocol.Message{Seq: 4, From: "bob", Type: protocol.KindCallRecord, Outcome: protocol.OutcomeDeclined}))
	if n := len(chat.Rows()); n != 4 || !shows(chat.Rows()[3], "Declined") {
		t.Fatalf("appending: %d rows", n)
	}

	group := NewChatView(w, "alice", Conversation{ID: "group:g1", Title: "team", Group: true}, ph, ph, CallEntries{true, true})
	group.SetMessages([]protocol.Message{{Seq: 1, From: "bob", Type: protocol.KindCallRecord, Media: protocol.MediaVideo,
		Outcome: protocol.OutcomeCompleted, DurationMS: 61_000}})
	if _, tip := group.Rows()[0].(*fyne.Container).Objects[0].(*canvas.Text); !tip || !shows(group.Rows()[0], "Video call · ended · 01:01") {
		t.Fatalf("group record: %q", texts(group.Rows()[0]))
	}
}

// openDirectChat shows alice's chat with bob, with both call entries, in
// a test window closed with the test.
func openDirectChat(t *testing.T) (*ChatView, *fakePhone) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	ph := newFakePhone()
	chat := NewChatView(w, "alice", direct(), ph, ph, CallEntries{true, true})
	w.SetContent(chat.Object())
	return chat, ph
}
