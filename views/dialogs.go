package views

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The keyboard of dialogs: the first field is focused, Enter submits,
// Escape cancels. A focused field gets every key, and Fyne's dialogs
// handle neither key, so the fields themselves take them.

// dialogKeys is what Enter and Escape do in a dialog.
type dialogKeys struct{ submit, cancel func() }

// typed does what key k means in the dialog and tells whether it meant
// anything.
func (d dialogKeys) typed(k *fyne.KeyEvent) bool {
	var do func()
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		do = d.submit
	case fyne.KeyEscape:
		do = d.cancel
	default:
		return false
	}
	if do != nil {
		do()
	}
	return true
}

// keyedEntry is a dialog's text field.
type keyedEntry struct {
	widget.Entry
	keys dialogKeys
}

func newKeyedEntry(placeholder string) *keyedEntry {
	e := &keyedEntry{}
	e.Wrapping = fyne.TextWrapOff
	e.PlaceHolder = placeholder
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey implements fyne.Focusable.
func (e *keyedEntry) TypedKey(k *fyne.KeyEvent) {
	if !e.keys.typed(k) {
		e.Entry.TypedKey(k)
	}
}

// keyedSelect is a dialog's choice.
type keyedSelect struct {
	widget.Select
	keys dialogKeys
}

func newKeyedSelect(options []string, changed func(string)) *keyedSelect {
	s := &keyedSelect{}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey implements fyne.Focusable.
func (s *keyedSelect) TypedKey(k *fyne.KeyEvent) {
	if !s.keys.typed(k) {
		s.Select.TypedKey(k)
	}
}

// keyedCheck is a dialog's check box.
type keyedCheck struct {
	widget.Check
	keys dialogKeys
}

func newKeyedCheck(label string, changed func(bool)) *keyedCheck {
	c := &keyedCheck{}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey implements fyne.Focusable.
func (c *keyedCheck) TypedKey(k *fyne.KeyEvent) {
	if !c.keys.typed(k) {
		c.Check.TypedKey(k)
	}
}

// nameFieldWidth fits the longest user name (32 characters) in the
// dialogs that ask for a name.
const nameFieldWidth = 360

// NameDialog asks for one name: whom to chat with, a new group's name.
type NameDialog struct {
	Entry *keyedEntry
	dlg   *dialog.FormDialog
}

// ShowNameDialog shows the dialog over win; onName gets the name, trimmed,
// when the person confirms one.
func ShowNameDialog(win fyne.Window, title, label, placeholder, confirm string, onName func(string)) *NameDialog {
	d := &NameDialog{Entry: newKeyedEntry(placeholder)}
	d.dlg = dialog.NewForm(title, confirm, T("Cancel"), []*widget.FormItem{widget.NewFormItem(label, d.Entry)}, func(ok bool) {
		if name := strings.TrimSpace(d.Entry.Text); ok && name != "" {
			onName(name)
		}
	}, win)
	d.Entry.keys = dialogKeys{submit: d.dlg.Submit, cancel: d.dlg.Hide}
	d.dlg.Show()
	labelWidth := fyne.MeasureText(label, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
	d.dlg.Resize(fyne.NewSize(max(d.dlg.MinSize().Width, labelWidth+nameFieldWidth+64), d.dlg.MinSize().Height))
	win.Canvas().Focus(d.Entry)
	return d
}
