package views

import (
	"testing"

	"fyne.io/fyne/v2"
)

// shortcut types shortcut s on the window's canvas, as the driver does
// when no text field has the keyboard.
func shortcut(w fyne.Window, s fyne.Shortcut) {
	w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

func TestShortcutsOpenSettingsAndSwitchTabs(t *testing.T) {
	v, w, _ := mainWindow(t)
	settings := 0
	v.OnSettings = func() { settings++ }
	shortcut(w, ShortcutSettings)
	if settings != 1 {
		t.Fatalf("Ctrl+, opened Settings %d times", settings)
	}
	if ShortcutSettings.ShortcutName() != "CustomDesktop:Control+," && ShortcutSettings.ShortcutName() != "CustomDesktop:Super+," {
		t.Fatalf("settings shortcut %q", ShortcutSettings.ShortcutName())
	}
	for i, want := range []string{"Chats", "Contacts", "Calls"} {
		shortcut(w, ShortcutTab((i+1)%3)) // away first
		shortcut(w, ShortcutTab(i))
		if got := v.Tabs.Selected().Text; got != want {
			t.Fatalf("Ctrl+%d selects %q, want %q", i+1, got, want)
		}
	}
	shortcut(w, ShortcutTab(7)) // no such tab: nothing happens
	if got := v.Tabs.SelectedIndex(); got != 2 {
		t.Fatalf("Ctrl+8 moved to tab %d", got)
	}
}

func TestShortcutOpensTheMoreMenu(t *testing.T) {
	v, w, _ := mainWindow(t)
	shortcut(w, ShortcutMore) // no chat open: nothing
	if top := w.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a menu without a chat: %T", top)
	}
	v.SetConversations([]Conversation{direct()})
	v.Open(direct().ID)
	shortcut(w, ShortcutMore)
	m := w.Canvas().Overlays().Top()
	if m == nil || !shows(m, "Voice call") || !shows(m, "Video call") {
		t.Fatalf("Ctrl+M shows %v, not the more menu", m)
	}
	w.Canvas().Overlays().Remove(m)
	// Without call entries there is no "more" button, and no menu.
	v.SetEntries(CallEntries{})
	shortcut(w, ShortcutMore)
	if top := w.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a menu without call entries: %T", top)
	}
}

// A new view of the window (the language changed) takes the shortcuts.
func TestShortcutsFollowANewView(t *testing.T) {
	v, w, ph := mainWindow(t)
	v.OnSettings = func() { t.Fatal("the old view's Settings") }
	v2 := NewMainView(w, "alice", ph, ph, CallEntries{true, true})
	w.SetContent(v2.Object())
	opened := false
	v2.OnSettings = func() { opened = true }
	shortcut(w, ShortcutSettings)
	shortcut(w, ShortcutTab(2))
	if !opened || v2.Tabs.SelectedIndex() != 2 {
		t.Fatalf("new view: settings %v, tab %d", opened, v2.Tabs.SelectedIndex())
	}
}
