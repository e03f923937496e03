package app

import (
	"testing"

	"fyne.io/fyne/v2"

	"parley/callcore"
	"parley/protocol"
	"parley/views"
)

// testSession is alice's session on a, without a connection: its chat
// with bob is loaded (opening it asks the server nothing) and open.
func testSession(t *testing.T, ui *uiLoop, a *App) *Session {
	t.Helper()
	s := &Session{app: a, chat: newChatState("alice"), me: "alice", win: ui.NewWindow(""),
		screens: views.NewCallScreens(ui, "alice", nil)}
	conv := protocol.DirectConversation("alice", "bob")
	s.chat.setConversation(protocol.Conversation{ID: conv, Members: []string{"alice", "bob"}})
	s.chat.setLoaded(conv)
	s.buildMain()
	a.mu.Lock()
	a.sessions = append(a.sessions, s)
	a.mu.Unlock()
	t.Cleanup(func() { // the session has no engine nor connection to close
		a.mu.Lock()
		a.sessions = nil
		a.mu.Unlock()
		a.Close()
	})
	s.main.SetConversations(s.chat.snapshot().convs)
	s.main.Open(conv)
	ui.run()
	return s
}

// A change of language rebuilds the main window in its words, with the
// same chat open and the same tab, and names every window anew.
func TestLanguageSwitchKeepsTheOpenChatAndRetitles(t *testing.T) {
	ui := newUILoop(t)
	a := New(ui, TestMedia(true))
	t.Cleanup(func() { views.SetLanguage(views.English) })
	s := testSession(t, ui, a)
	conv := protocol.DirectConversation("alice", "bob")
	s.main.Tabs.SelectIndex(2)
	// bob rings: the invite window; and Settings is open.
	s.screens.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Incoming, Call: protocol.Call{
		ID: "c1", Conversation: conv, Media: protocol.MediaVideo, Caller: "bob", State: protocol.CallRinging,
		Participants: []protocol.Participant{{User: "bob", State: protocol.StateJoined}, {User: "alice", State: protocol.StateRinging}}}})
	a.showSettings()
	if iw := s.screens.Invite(); iw == nil || iw.Window.Title() != "Incoming call" || a.setWin.Title() != "Settings" {
		t.Fatalf("before: invite %v, settings %q", iw, a.setWin.Title())
	}
	before := s.main

	st := a.currentSettings()
	st.Language = views.SimplifiedChinese
	a.changeSettings(st)
	ui.run()

	if s.main == before {
		t.Fatal("the main window was not rebuilt")
	}
	if s.main.Chat == nil || s.main.Chat.Conv.ID != conv {
		t.Fatalf("the open chat after the switch: %v", s.main.Chat)
	}
	if s.main.ConvList == nil || len(s.main.Convs) != 1 {
		t.Fatalf("conversations after the switch: %+v", s.main.Convs)
	}
	if got := s.main.Tabs.SelectedIndex(); got != 2 {
		t.Fatalf("tab %d after the switch, want the Calls tab", got)
	}
	if got := s.main.Tabs.Items[0].Text; got != "聊天" {
		t.Fatalf("Chats tab reads %q", got)
	}
	if got := s.main.Chat.Input.PlaceHolder; got != "输入消息" {
		t.Fatalf("message box reads %q", got)
	}
	if got := s.win.Title(); got != "Parley — alice" {
		t.Fatalf("main window title %q", got)
	}
	if got := s.screens.Invite().Window.Title(); got != "来电" {
		t.Fatalf("invite window title %q", got)
	}
	if got := a.setWin.Title(); got != "设置" {
		t.Fatalf("settings window title %q", got)
	}
	if s.win.Content() != s.main.Object() {
		t.Fatal("the window shows the old view")
	}
}

// The main window's shortcuts reach the app: Ctrl+, opens the Settings
// window, and a rebuilt window (a change of language) keeps them.
func TestShortcutOpensSettings(t *testing.T) {
	ui := newUILoop(t)
	a := New(ui, TestMedia(true))
	t.Cleanup(func() { views.SetLanguage(views.English) })
	s := testSession(t, ui, a)
	press := func() { s.win.Canvas().(fyne.Shortcutable).TypedShortcut(views.ShortcutSettings) }
	press()
	if a.setWin == nil || a.setWin.Title() != "Settings" {
		t.Fatal("Ctrl+, opened no Settings window")
	}
	a.setWin.Close()
	st := a.currentSettings()
	st.Language = views.SimplifiedChinese
	a.changeSettings(st)
	ui.run()
	press()
	if a.setWin == nil || a.setWin.Title() != "设置" {
		t.Fatal("Ctrl+, after the switch opened no Settings window")
	}
	s.win.Canvas().(fyne.Shortcutable).TypedShortcut(views.ShortcutTab(2))
	if s.main.Tabs.SelectedIndex() != 2 {
		t.Fatal("Ctrl+3 did not show the Calls tab")
	}
}
