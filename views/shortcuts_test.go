package views

import (
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// shortcut types shortcut s on the window's canvas, as the driver does
// when no text field has the keyboard.
func shortcut(w fyne.Window, s fyne.Shortcut) {
	w.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// typeShortcut types shortcut s as the desktop driver does: to the focused
// widget if it takes shortcuts, else to the window's canvas.
func typeShortcut(w fyne.Window, s fyne.Shortcut) {
	if f, ok := w.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	shortcut(w, s)
}

// The window's shortcuts work while the message box has the keyboard,
// and the box keeps its own: select all, copy, paste, erase a word.
func TestShortcutsWhileTheMessageBoxHasTheKeyboard(t *testing.T) {
	v, w, _ := mainWindow(t)
	settings := 0
	v.OnSettings = func() { settings++ }
	v.SetConversations([]Conversation{direct()})
	v.Open(direct().ID)
	in := v.Chat.Input
	w.Canvas().Focus(in)
	for _, r := range "hello" {
		in.TypedRune(r)
	}
	if w.Canvas().Focused() != in || in.Text != "hello" {
		t.Fatalf("focused %T, text %q", w.Canvas().Focused(), in.Text)
	}

	typeShortcut(w, ShortcutSettings)
	if settings != 1 {
		t.Fatalf("Ctrl+, in the message box opened Settings %d times", settings)
	}
	typeShortcut(w, ShortcutTab(2))
	if got := v.Tabs.SelectedIndex(); got != 2 {
		t.Fatalf("Ctrl+3 in the message box: tab %d", got)
	}
	typeShortcut(w, ShortcutTab(0))
	if got := v.Tabs.SelectedIndex(); got != 0 {
		t.Fatalf("Ctrl+1 in the message box: tab %d", got)
	}
	w.Canvas().Focus(in)
	typeShortcut(w, ShortcutMore)
	m := w.Canvas().Overlays().Top()
	if m == nil || !shows(m, "Video call") {
		t.Fatalf("Ctrl+M in the message box shows %v, not the more menu", m)
	}
	w.Canvas().Overlays().Remove(m)
	if in.Text != "hello" {
		t.Fatalf("the window's shortcuts typed into the box: %q", in.Text)
	}

	// The box's own shortcuts stay in it.
	w.Canvas().Focus(in)
	clip := fyne.CurrentApp().Clipboard()
	clip.SetContent("")
	typeShortcut(w, &fyne.ShortcutSelectAll{})
	typeShortcut(w, &fyne.ShortcutCopy{Clipboard: clip})
	if got := clip.Content(); got != "hello" {
		t.Fatalf("Ctrl+A, Ctrl+C copied %q", got)
	}
	in.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	clip.SetContent(" world")
	typeShortcut(w, &fyne.ShortcutPaste{Clipboard: clip})
	if in.Text != "hello world" {
		t.Fatalf("Ctrl+V gives %q", in.Text)
	}
	moveWord := fyne.KeyModifierControl
	if runtime.GOOS == "darwin" {
		moveWord = fyne.KeyModifierAlt
	}
	typeShortcut(w, &desktop.CustomShortcut{KeyName: fyne.KeyBackspace, Modifier: moveWord})
	if in.Text != "hello " {
		t.Fatalf("erasing a word gives %q", in.Text)
	}
	if settings != 1 || v.Tabs.SelectedIndex() != 0 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("the box's shortcuts reached the window: settings %d, tab %d", settings, v.Tabs.SelectedIndex())
	}
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
