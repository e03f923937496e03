package views

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Sign-in modes.
const (
	ModeHost    = "host"    // host a server on this computer
	ModeConnect = "connect" // connect to a server by URL
)

// SignInChoice is what the person filled in.
type SignInChoice struct {
	Mode     string
	URL      string // ModeConnect
	User     string
	Password string
	Register bool
}

// SignIn is the first screen: host on this computer or connect to a
// server, then register or sign in.
type SignIn struct {
	Mode     *widget.RadioGroup
	URL      *widget.Entry
	User     *widget.Entry
	Password *widget.Entry
	SignIn   *widget.Button
	Register *widget.Button
	Address  *widget.Label // the LAN address others use, when hosting
	// CA is the server's private certificate authority, when connecting;
	// the app fills it in and keeps what changes.
	CA     *CAField
	caBox  *fyne.Container
	Status *widget.Label
	root   fyne.CanvasObject
	submit func(SignInChoice)
}

// NewSignIn shows last (the last choice) filled in; submit runs on the UI
// goroutine with the choice, and the app reports back with SetStatus.
func NewSignIn(last SignInChoice, submit func(SignInChoice)) *SignIn {
	s := &SignIn{submit: submit, URL: widget.NewEntry(), User: widget.NewEntry(), Password: widget.NewPasswordEntry(),
		Address: widget.NewLabel(""), Status: widget.NewLabel(""), CA: newCAField("")}
	s.caBox = container.NewVBox(widget.NewLabel(T("Trusted certificate authority")), s.CA.Object())
	s.Status.Wrapping = fyne.TextWrapWord
	hostLabel, connectLabel := T("Host on this computer"), T("Connect to a server")
	s.Mode = widget.NewRadioGroup([]string{hostLabel, connectLabel}, func(v string) {
		if v == connectLabel {
			s.URL.Enable()
		} else {
			s.URL.Disable()
		}
		show(s.caBox, v == connectLabel)
	})
	s.Mode.Required = true
	s.URL.SetPlaceHolder("https://chat.example.org")
	s.URL.SetText(last.URL)
	s.User.SetPlaceHolder(T("User name"))
	s.User.SetText(last.User)
	s.Password.SetPlaceHolder(T("Password"))
	s.Password.OnSubmitted = func(string) { s.do(false) }
	if last.Mode == ModeConnect {
		s.Mode.SetSelected(connectLabel)
	} else {
		s.Mode.SetSelected(hostLabel)
	}
	s.SignIn = widget.NewButton(T("Sign in"), func() { s.do(false) })
	s.SignIn.Importance = widget.HighImportance
	s.Register = widget.NewButton(T("Register"), func() { s.do(true) })
	title := widget.NewLabelWithStyle("Parley", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := container.NewVBox(title, s.Mode, s.URL, s.caBox, s.Address, widget.NewSeparator(), s.User, s.Password,
		container.NewGridWithColumns(2, s.Register, s.SignIn), s.Status)
	s.root = container.NewCenter(container.New(&fixedWidth{width: 340}, form))
	return s
}

// Object is the view's canvas object.
func (s *SignIn) Object() fyne.CanvasObject { return s.root }

// Choice is what the form says now.
func (s *SignIn) Choice(register bool) SignInChoice {
	c := SignInChoice{Mode: ModeHost, URL: strings.TrimSpace(s.URL.Text), User: strings.TrimSpace(s.User.Text),
		Password: s.Password.Text, Register: register}
	if s.Mode.Selected == T("Connect to a server") {
		c.Mode = ModeConnect
	}
	return c
}

func (s *SignIn) do(register bool) {
	c := s.Choice(register)
	if c.Mode == ModeConnect && c.URL == "" {
		s.SetStatus(errors.New(T("Enter the server's address")))
		return
	}
	if c.User == "" || c.Password == "" {
		s.SetStatus(errors.New(T("Enter a user name and a password")))
		return
	}
	s.SetBusy(true)
	s.Status.SetText(T("Signing in…"))
	s.submit(c)
}

// SetBusy disables the buttons while a sign-in runs.
func (s *SignIn) SetBusy(busy bool) {
	for _, b := range []*widget.Button{s.SignIn, s.Register} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

// SetStatus shows why signing in failed, and enables the buttons again.
func (s *SignIn) SetStatus(err error) {
	s.SetBusy(false)
	if err == nil {
		s.Status.SetText("")
		return
	}
	s.Status.SetText(err.Error())
}

// SetAddress shows the address others on the network use to reach the
// server hosted here.
func (s *SignIn) SetAddress(addr string) {
	if addr == "" {
		s.Address.SetText("")
		return
	}
	s.Address.SetText(Tf("Others connect to %s", addr))
}

// fixedWidth lays its objects out in a column of one width.
type fixedWidth struct{ width float32 }

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.width, h)
}

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(f.width, size.Height))
		o.Move(fyne.NewPos(0, 0))
	}
}
