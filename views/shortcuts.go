package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Shortcuts of the main window (Ctrl on Linux and Windows, Cmd on macOS):
//
//	Ctrl+,        Settings
//	Ctrl+1, 2, 3  the Chats, Contacts and Calls tabs
//	Ctrl+M        the open chat's "more" menu (voice and video call)
//
// Fyne hands a shortcut to the focused text field first; the message box
// (MessageEntry) passes these on to the window, so they work while it has
// the keyboard too.
var (
	ShortcutSettings = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
	ShortcutMore     = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault}
)

// ShortcutTab is the shortcut of the main window's tab i (from 0).
func ShortcutTab(i int) *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: fyne.KeyName(rune('1' + i)), Modifier: fyne.KeyModifierShortcutDefault}
}

// installShortcuts puts the main window's shortcuts on its canvas. A
// new view of the same window (a change of language) replaces them.
func (v *MainView) installShortcuts() {
	c := v.win.Canvas()
	c.AddShortcut(ShortcutSettings, func(fyne.Shortcut) {
		if v.OnSettings != nil {
			v.OnSettings()
		}
	})
	for i := range v.Tabs.Items {
		c.AddShortcut(ShortcutTab(i), func(fyne.Shortcut) { v.Tabs.SelectIndex(i) })
	}
	c.AddShortcut(ShortcutMore, func(fyne.Shortcut) { v.ShowMore() })
}

// ShowMore opens the open chat's "more" menu, if it offers a call.
func (v *MainView) ShowMore() {
	if v.Chat == nil || !v.Chat.More.Visible() {
		return
	}
	v.Chat.showMore()
}
