package views

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

// rowIn lays row out in a test window w wide.
func rowIn(t *testing.T, row fyne.CanvasObject, w float32) {
	t.Helper()
	test.NewTempApp(t)
	win := test.NewWindow(row)
	t.Cleanup(win.Close)
	win.Resize(fyne.NewSize(w, row.MinSize().Height+8))
}

// right is where o ends, in its window.
func right(o fyne.CanvasObject) float32 {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).X + o.Size().Width
}

func left(o fyne.CanvasObject) float32 {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o).X
}

func TestHistoryRows(t *testing.T) {
	today := time.Now().Add(-time.Minute)
	for _, tc := range []struct {
		name      string
		msg       protocol.Message
		detail    string
		direction fyne.Resource
		kind      fyne.Resource
		danger    bool
	}{
		{"outgoing voice", protocol.Message{From: "alice", Outcome: protocol.OutcomeCompleted, DurationMS: 83_000},
			"Duration 01:23", outgoingIcon, voiceIcon, false},
		{"incoming video", protocol.Message{From: "bob", Media: protocol.MediaVideo, Outcome: protocol.OutcomeCompleted, DurationMS: 3_723_000},
			"Duration 1:02:03", incomingIcon, videoIcon, false},
		{"declined by me", protocol.Message{From: "bob", Outcome: protocol.OutcomeDeclined}, "Declined", incomingIcon, voiceIcon, false},
		{"missed", protocol.Message{From: "bob", Media: protocol.MediaVideo, Outcome: protocol.OutcomeNoAnswer}, "Missed call", missedIcon, videoIcon, true},
		{"unanswered by them", protocol.Message{From: "alice", Outcome: protocol.OutcomeNoAnswer}, "No answer", outgoingIcon, voiceIcon, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := newHistoryRow().(*HistoryRow)
			tc.msg.Type, tc.msg.TimeMS = protocol.KindCallRecord, today.UnixMilli()
			rowIn(t, row, 280)
			row.set(HistoryEntry{Conv: direct(), Msg: tc.msg}, "alice")
			row.Refresh()
			if row.Title.Text != "bob" || row.Detail.Text != tc.detail || row.At.Text != today.Format("15:04") {
				t.Fatalf("row reads %q", texts(row))
			}
			if row.Direction.Resource != tc.direction || row.Kind.Resource != tc.kind {
				t.Fatalf("icons %s, %s", row.Direction.Resource.Name(), row.Kind.Resource.Name())
			}
			if (row.Detail.Importance == widget.DangerImportance) != tc.danger {
				t.Fatalf("importance %v", row.Detail.Importance)
			}
			if right(row.Detail) > left(row.At) || right(row.Title) > left(row.At) {
				t.Fatalf("the text (to %v) runs into the time (from %v)", right(row.Detail), left(row.At))
			}
			if !shows(row, "B") { // the avatar's initial
				t.Fatal("no avatar")
			}
		})
	}
}

func TestConvRowPreviewUsesTheRowsWidthAndCountsUnread(t *testing.T) {
	for _, unread := range []int{0, 3, 120} {
		t.Run(fmt.Sprint(unread), func(t *testing.T) {
			row := newConvRow().(*ConvRow)
			rowIn(t, row, 320)
			c := direct()
			c.Last, c.LastAt, c.Unread = "a long message that does not fit in the row at all, whatever its width", time.Now().AddDate(-1, 0, 0), unread
			row.set(c)
			row.Refresh()
			want := map[int]string{3: "3", 120: "99+"}[unread]
			if row.Badge.Visible() != (unread > 0) || (unread > 0 && row.Badge.Count.Text != want) {
				t.Fatalf("badge shown %v with %q, want %q", row.Badge.Visible(), row.Badge.Count.Text, want)
			}
			// The preview reaches the badge, or the row's end: the date
			// above it takes none of its width.
			end := right(row)
			if row.Badge.Visible() {
				end = left(row.Badge.box)
			}
			if gap := end - right(row.Preview); gap > 2*theme.Padding() || gap < 0 {
				t.Fatalf("the preview ends %v before %v", gap, end)
			}
			if s := row.Badge.box.Size(); row.Badge.Visible() && s.Width < s.Height {
				t.Fatalf("badge %v: narrower than high", s)
			}
		})
	}
}

func TestOpenConversationStaysHighlightedWhenTheListReorders(t *testing.T) {
	v, _, _ := mainWindow(t)
	opened := 0
	v.OnOpen = func(string) { opened++ }
	a, b := direct(), Conversation{ID: "group:g1", Title: "team", Group: true}
	v.SetConversations([]Conversation{a, b})
	v.ConvList.Select(1) // the person opens "team"
	if v.Chat == nil || v.Chat.Conv.ID != b.ID || opened != 1 {
		t.Fatal("team not opened")
	}
	v.SetConversations([]Conversation{b, a}) // a message in team moves it up
	// Selecting team's new row changes nothing: it is the one selected.
	v.ConvList.Select(0)
	if v.Chat.Conv.ID != b.ID || opened != 1 {
		t.Fatalf("after the reorder the chat is %s, opened %d times", v.Chat.Conv.ID, opened)
	}
	v.SetConversations([]Conversation{a}) // team gone: nothing highlighted
	v.ConvList.Select(0)
	if v.Chat.Conv.ID != a.ID || opened != 2 {
		t.Fatalf("selecting bob after team went: chat %s, opened %d", v.Chat.Conv.ID, opened)
	}
}
