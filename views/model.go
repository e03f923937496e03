// Package views holds Parley's Fyne screens and widgets. They render the
// state the app hands them and report what the person does through small
// interfaces and callbacks; they hold no networking and no media code.
//
// Every method of a view runs on Fyne's UI goroutine: the app calls them
// inside fyne.Do. Work that may block (a request to the server) leaves the
// UI goroutine in a goroutine of its own, and comes back through fyne.Do.
package views

import (
	"fmt"
	"time"

	"parley/protocol"
)

// Conversation is one row of the conversation list.
type Conversation struct {
	ID      string
	Title   string // the other user, or the group's name
	Group   bool
	Members []string // everyone, me included
	Last    string   // the last message, as a line of text
	LastAt  time.Time
	Unread  int
	Online  bool // the other user (1:1) is online
}

// Contact is a person this user shares a conversation with.
type Contact struct {
	User   string
	Online bool
}

// DurationText formats durations as the call screens show them: mm:ss,
// or h:mm:ss past an hour.
func DurationText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// MessageTime is the time shown under a bubble: the hour today, the date
// before.
func MessageTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// CallRecordText is how a call record reads in a chat, as TUIKit shows it.
func CallRecordText(m protocol.Message) string {
	if m.Outcome == protocol.OutcomeCompleted {
		return T("Duration") + " " + DurationText(time.Duration(m.DurationMS)*time.Millisecond)
	}
	return OutcomeText(m.Outcome)
}

// Missed tells whether a call record is a call that rang here and that
// nobody answered: the callee's missed call.
func Missed(m protocol.Message, me string) bool {
	return m.From != me && (m.Outcome == protocol.OutcomeNoAnswer || m.Outcome == protocol.OutcomeCancelled)
}

// GroupCallRecordText is the centred tip line of a group call record.
func GroupCallRecordText(m protocol.Message) string {
	kind := T("Voice call")
	if m.Media == protocol.MediaVideo {
		kind = T("Video call")
	}
	if m.Outcome == protocol.OutcomeCompleted {
		return kind + " · " + T("ended") + " · " + DurationText(time.Duration(m.DurationMS)*time.Millisecond)
	}
	return kind + " · " + CallRecordText(m)
}

// MessageSummary is a message as one line of the conversation list.
func MessageSummary(m protocol.Message) string {
	if m.Type == protocol.KindCallRecord {
		if m.Media == protocol.MediaVideo {
			return "[" + T("Video call") + "] " + CallRecordText(m)
		}
		return "[" + T("Voice call") + "] " + CallRecordText(m)
	}
	return m.Text
}
