package views

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// MessageEntry is the chat's message box. Fyne hands a shortcut to the
// focused text field rather than to the window, so the box passes on the
// shortcuts that are not about editing text (the window's: Ctrl+,
// Settings, Ctrl+1/2/3 the tabs, Ctrl+M the "more" menu) to its window's
// canvas; copy, cut, paste, select all, undo and the word moves stay in
// the box.
type MessageEntry struct {
	widget.Entry
}

// NewMessageEntry is an empty single-line message box.
func NewMessageEntry() *MessageEntry {
	e := &MessageEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewEntry's
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut implements fyne.Shortcutable.
func (e *MessageEntry) TypedShortcut(s fyne.Shortcut) {
	if forwardsToWindow(s) {
		if c, ok := fyne.CurrentApp().Driver().CanvasForObject(e).(fyne.Shortcutable); ok {
			c.TypedShortcut(s)
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// forwardsToWindow tells whether a text field leaves shortcut s to the
// window: a custom shortcut (a modifier and a key) that is not on a key
// that moves in or erases text. The standard ones (copy, cut, paste,
// select all, undo, redo) have types of their own and stay.
func forwardsToWindow(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	switch cs.KeyName {
	case fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown, fyne.KeyHome, fyne.KeyEnd,
		fyne.KeyPageUp, fyne.KeyPageDown, fyne.KeyBackspace, fyne.KeyDelete, fyne.KeyInsert,
		fyne.KeyReturn, fyne.KeyEnter, fyne.KeyTab:
		return false
	}
	return true
}
