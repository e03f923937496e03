package app

import (
	"encoding/json"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/client"
	"parley/protocol"
	"parley/views"
)

func TestBuilderOptionsAndSettingsChooseTheCallEntries(t *testing.T) {
	a := New(test.NewTempApp(t), EnableVideoCall(false))
	defer a.Close()
	if got := a.entries(); got != (views.CallEntries{Voice: true, Video: false}) {
		t.Fatalf("entries %+v", got)
	}
	s := a.currentSettings()
	s.VoiceCall = false
	a.changeSettings(s)
	if got := a.entries(); got != (views.CallEntries{}) {
		t.Fatalf("entries after settings %+v", got)
	}
	// Kept in the preferences.
	if loadSettings(a.fyne.Preferences()).VoiceCall {
		t.Fatal("setting not saved")
	}
}

// The notification of a call that rings here is in the language of the
// settings, and only sent if they allow it.
func TestInviteNotification(t *testing.T) {
	fa := test.NewTempApp(t)
	a := New(fa)
	defer a.Close()
	t.Cleanup(func() { views.SetLanguage(views.English) })
	a.notify = func(title, body string) { fa.SendNotification(fyne.NewNotification(title, body)) }
	video := protocol.Call{Caller: "bob", Media: protocol.MediaVideo}
	voice := protocol.Call{Caller: "bob", Media: protocol.MediaAudio}
	test.AssertNotificationSent(t, fyne.NewNotification("Incoming video call", "bob is calling you"), func() {
		a.notifyIncoming(video)
	})
	test.AssertNotificationSent(t, fyne.NewNotification("Incoming voice call", "bob is calling you"), func() {
		a.notifyIncoming(voice)
	})
	s := a.currentSettings()
	s.Language = views.SimplifiedChinese
	a.changeSettings(s)
	test.AssertNotificationSent(t, fyne.NewNotification("视频来电", "bob 正在呼叫你"), func() { a.notifyIncoming(video) })
	s.Notifications = false
	a.changeSettings(s)
	test.AssertNotificationSent(t, nil, func() { a.notifyIncoming(video) })
}

func event(t *testing.T, typ string, v any) client.Event {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return client.Event{Type: typ, Payload: raw}
}

func TestChatStateFollowsEvents(t *testing.T) {
	st := newChatState("alice")
	conv := protocol.DirectConversation("alice", "bob")
	st.setConversation(protocol.Conversation{ID: conv, Members: []string{"alice", "bob"}})
	st.applyEvent(event(t, protocol.TypeChatMessage, protocol.Message{Conversation: conv, Seq: 2, From: "bob", Type: protocol.KindText, Text: "hi", TimeMS: 2}))
	st.applyEvent(event(t, protocol.TypeChatMessage, protocol.Message{Conversation: conv, Seq: 3, From: "bob", Type: protocol.KindCallRecord,
		Media: protocol.MediaVideo, Outcome: protocol.OutcomeNoAnswer, TimeMS: 3}))
	st.applyEvent(event(t, protocol.TypePresence, protocol.Presence{User: "bob", Online: true}))
	s := st.snapshot()
	if len(s.convs) != 1 || s.convs[0].Unread != 2 || !s.convs[0].Online || s.convs[0].Title != "bob" {
		t.Fatalf("conversations %+v", s.convs)
	}
	if s.convs[0].Last != "[Video call] No answer" || len(s.history) != 1 {
		t.Fatalf("last %q, history %d", s.convs[0].Last, len(s.history))
	}
	st.openConv(conv)
	if s = st.snapshot(); s.convs[0].Unread != 0 || len(s.msgs) != 2 {
		t.Fatalf("after opening: %+v", s.convs[0])
	}
	// A group call going on shows the Join banner while we are not in it.
	g := "group:g1"
	st.setConversation(protocol.Conversation{ID: g, Name: "team", Members: []string{"alice", "bob", "carol"}})
	st.openConv(g)
	call := protocol.Call{ID: "c", Conversation: g, Group: true, State: protocol.CallActive,
		Participants: []protocol.Participant{{User: "bob", State: protocol.StateJoined}, {User: "carol", State: protocol.StateJoined}}}
	st.applyEvent(event(t, protocol.TypeCallUpdate, protocol.CallUpdate{Call: call, Event: protocol.EventAccepted}))
	if s = st.snapshot(); s.liveCall == nil || s.liveCall.ID != "c" {
		t.Fatal("no live group call")
	}
	call.State = protocol.CallEnded
	st.applyEvent(event(t, protocol.TypeCallUpdate, protocol.CallUpdate{Call: call, Event: protocol.EventEnded}))
	if s = st.snapshot(); s.liveCall != nil {
		t.Fatal("live call after its end")
	}
}

// A group invite names the group as the chat knows it, once a group
// update has told its name; until then, by its id.
func TestCallScreensNameTheGroup(t *testing.T) {
	s := &Session{chat: newChatState("alice")}
	if got := s.convTitle("group:7d2e91c04a"); got != "7d2e91c04a" {
		t.Fatalf("an unknown group is %q", got)
	}
	s.chat.applyEvent(event(t, protocol.TypeGroupUpdate, protocol.ConversationReply{Conversation: protocol.Conversation{
		ID: "group:7d2e91c04a", Name: "Team", Members: []string{"alice", "bob", "carol"}}}))
	if got := s.convTitle("group:7d2e91c04a"); got != "Team" {
		t.Fatalf("the group is %q, want its name", got)
	}
}
