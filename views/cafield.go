package views

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// CAField is the "Trusted certificate authority" setting, on the sign-in
// screen and in Settings: the PEM file of the private authority that signed
// the server's certificate, or none, and then the system's authorities.
type CAField struct {
	File    *widget.Label  // the file trusted, or that the system's authorities are
	Choose  *widget.Button // opens a file dialog
	Clear   *widget.Button // back to the system's authorities
	Problem *widget.Label  // why the file last chosen was refused
	// Check says in words why a file cannot be trusted, or nil; the app
	// sets it. Without it any file is taken.
	Check func(file string) error
	// OnChanged gets each file taken, and "" when cleared.
	OnChanged func(file string)
	file      string
	root      fyne.CanvasObject
}

func newCAField(file string) *CAField {
	f := &CAField{File: widget.NewLabel(""), Problem: widget.NewLabel("")}
	f.File.Wrapping = fyne.TextWrapBreak // a path has few spaces
	f.Problem.Wrapping = fyne.TextWrapWord
	f.Problem.Importance = widget.DangerImportance
	f.Problem.Hide()
	f.Choose = widget.NewButton(T("Choose…"), f.openDialog)
	f.Clear = widget.NewButton(T("Clear"), func() { f.take("") })
	f.SetFile(file)
	f.root = container.NewVBox(f.File, container.NewHBox(f.Choose, f.Clear), f.Problem)
	return f
}

// Object is the field's canvas object.
func (f *CAField) Object() fyne.CanvasObject { return f.root }

// SetFile shows file as the setting, without checking it or reporting it.
func (f *CAField) SetFile(file string) {
	f.file = file
	if file == "" {
		f.File.SetText(T("None: the system's authorities"))
		f.Clear.Disable()
	} else {
		f.File.SetText(file)
		f.Clear.Enable()
	}
}

// Use is what choosing file in the dialog does: a file Check refuses is
// not taken, and why shows under the field.
func (f *CAField) Use(file string) {
	if f.Check != nil {
		if err := f.Check(file); err != nil {
			f.Problem.SetText(err.Error())
			f.Problem.Show()
			return
		}
	}
	f.take(file)
}

func (f *CAField) take(file string) {
	f.Problem.Hide()
	f.SetFile(file)
	if f.OnChanged != nil {
		f.OnChanged(file)
	}
}

// openDialog lets the person pick a PEM file, starting in the folder of
// the one trusted now.
func (f *CAField) openDialog() {
	win := windowOf(f.Choose)
	if win == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil { // cancelled
			return
		}
		r.Close()
		f.Use(r.URI().Path())
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	if f.file != "" {
		if dir, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(f.file))); err == nil {
			d.SetLocation(dir)
		}
	}
	d.Show()
}

// windowOf is the window that shows o, or nil.
func windowOf(o fyne.CanvasObject) fyne.Window {
	d := fyne.CurrentApp().Driver()
	c := d.CanvasForObject(o)
	for _, w := range d.AllWindows() {
		if w.Canvas() == c {
			return w
		}
	}
	return nil
}
