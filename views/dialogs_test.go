package views

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// press types key as the driver does: to the focused object, else to the
// canvas.
func press(c fyne.Canvas, key fyne.KeyName) {
	k := &fyne.KeyEvent{Name: key}
	if f := c.Focused(); f != nil {
		f.TypedKey(k)
	} else if h := c.OnTypedKey(); h != nil {
		h(k)
	}
}

// typeInto types text into the focused field of c.
func typeInto(t *testing.T, c fyne.Canvas, text string) {
	t.Helper()
	f := c.Focused()
	if f == nil {
		t.Fatal("no field is focused")
	}
	test.Type(f, text)
}

// mainWindow is alice's main window with bob as a contact.
func mainWindow(t *testing.T) (*MainView, fyne.Window, *fakePhone) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	ph := newFakePhone()
	v := NewMainView(w, "alice", ph, ph, CallEntries{true, true})
	w.SetContent(v.Object())
	w.Resize(fyne.NewSize(900, 600))
	v.SetContacts([]Contact{{User: "bob"}})
	return v, w, ph
}

func TestNameDialogKeyboard(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  fyne.KeyName
		want []string
	}{
		{"Enter submits", fyne.KeyReturn, []string{"bob"}},
		{"keypad Enter submits", fyne.KeyEnter, []string{"bob"}},
		{"Escape cancels", fyne.KeyEscape, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, w, _ := mainWindow(t)
			var got []string
			d := ShowNameDialog(w, "New chat", "User", "User name", "OK", func(n string) { got = append(got, n) })
			if w.Canvas().Focused() != d.Entry {
				t.Fatalf("focused %T, want the name field", w.Canvas().Focused())
			}
			typeInto(t, w.Canvas(), " bob ")
			press(w.Canvas(), tc.key)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("names %q, want %q", got, tc.want)
			}
			if w.Canvas().Overlays().Top() != nil {
				t.Fatal("the dialog stays open")
			}
		})
	}
}

func TestNameFieldFitsALongName(t *testing.T) {
	_, w, _ := mainWindow(t)
	d := ShowNameDialog(w, "New chat", "User", "User name", "OK", func(string) {})
	long := fyne.MeasureText(strings.Repeat("w", 24)+strings.Repeat("a", 8), theme.TextSize(), fyne.TextStyle{})
	if d.Entry.Size().Width < long.Width {
		t.Fatalf("the field is %v wide, a 32-character name %v", d.Entry.Size().Width, long.Width)
	}
}

func TestNewGroupByKeyboard(t *testing.T) {
	v, w, ph := mainWindow(t)
	v.NewGroup()
	typeInto(t, w.Canvas(), "team")
	press(w.Canvas(), fyne.KeyReturn)
	// The member picker, its first person focused: Space checks, Enter
	// creates the group.
	if top := w.Canvas().Overlays().Top(); top == nil || !shows(top, "bob") {
		t.Fatal("no member picker after Enter")
	}
	test.Type(w.Canvas().Focused(), " ")
	press(w.Canvas(), fyne.KeyReturn)
	ph.expect(t, "group team bob")
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("the picker stays open")
	}

	// Escape in either step creates nothing.
	v.NewGroup()
	press(w.Canvas(), fyne.KeyEscape)
	v.NewGroup()
	typeInto(t, w.Canvas(), "team")
	press(w.Canvas(), fyne.KeyReturn)
	test.Type(w.Canvas().Focused(), " ")
	press(w.Canvas(), fyne.KeyEscape)
	ph.none(t)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog stays open after Escape")
	}
}

func TestSettingsWindowKeyboard(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
		t.Run(string(key), func(t *testing.T) {
			test.NewTempApp(t)
			v := NewSettingsView(DefaultSettings(), DeviceLists{Cameras: []string{"Cam A"}}, nil)
			w := test.NewWindow(nil)
			closed := false
			w.SetOnClosed(func() { closed = true })
			v.Install(w)
			if w.Canvas().Focused() != v.Camera {
				t.Fatalf("focused %T, want the camera", w.Canvas().Focused())
			}
			press(w.Canvas(), key)
			if !closed {
				t.Fatalf("%s does not close the settings", key)
			}
		})
	}
	// With nothing focused, the window takes the key.
	test.NewTempApp(t)
	v := NewSettingsView(DefaultSettings(), DeviceLists{}, nil)
	w := test.NewWindow(nil)
	closed := false
	w.SetOnClosed(func() { closed = true })
	v.Install(w)
	w.Canvas().Unfocus()
	press(w.Canvas(), fyne.KeyEscape)
	if !closed {
		t.Fatal("Escape with nothing focused does not close the settings")
	}
}

func TestSettingsShareAndShowTheHostAddress(t *testing.T) {
	test.NewTempApp(t)
	var got Settings
	v := NewSettingsView(DefaultSettings(), DeviceLists{}, func(s Settings) { got = s })
	w := test.NewWindow(nil)
	defer w.Close()
	v.Install(w)
	if v.Share.Checked || !shows(v.Object(), "Let others on this network join") || !shows(v.Object(), "Not hosting a server") {
		t.Fatalf("settings read %q", texts(v.Object()))
	}
	test.Tap(v.Share)
	if !got.ShareOnNetwork {
		t.Fatal("sharing not reported")
	}
	for _, tc := range []struct{ lan, want string }{
		{"http://192.168.1.5:7000", "Others join at http://192.168.1.5:7000"},
		{"", "Only this computer can join"},
	} {
		v.SetHostAddress(tc.lan)
		if !shows(v.Object(), tc.want) {
			t.Fatalf("address %q reads %q", tc.lan, v.Address.Text)
		}
	}
}
