// Package app composes Parley's desktop app: the fyne.App, its windows and
// navigation, the embedded server, and the wiring of the signaling client
// and the call engine to the views. It holds no business logic.
package app

import (
	"image/color"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"

	"parley/assets"
	"parley/client"
	"parley/platform"
	"parley/views"
)

// Option configures the app, as TUIChat's configuration does.
type Option func(*options)

type options struct {
	audioCall bool
	videoCall bool
	testMedia bool
	dataDir   string
	hostAddr  string
	log       *slog.Logger
}

// EnableAudioCall offers (or hides) the "Voice call" entry of the chats,
// whatever the settings say.
func EnableAudioCall(on bool) Option { return func(o *options) { o.audioCall = on } }

// EnableVideoCall offers (or hides) the "Video call" entry of the chats.
func EnableVideoCall(on bool) Option { return func(o *options) { o.videoCall = on } }

// TestMedia uses generated sources instead of the camera and microphone.
func TestMedia(on bool) Option { return func(o *options) { o.testMedia = on } }

// DataDir is where the embedded server keeps its database.
func DataDir(dir string) Option { return func(o *options) { o.dataDir = dir } }

// HostAddr is the address the embedded server listens on. Without a host
// (":7000") the settings choose it: loopback, or every interface when the
// person lets others on the network join.
func HostAddr(addr string) Option { return func(o *options) { o.hostAddr = addr } }

// Logger receives the app's logs.
func Logger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// App is the desktop app.
type App struct {
	fyne fyne.App
	opts options
	log  *slog.Logger

	mu         sync.Mutex
	host       *Host
	sessions   []*Session
	settings   views.Settings
	signIn     fyne.Window
	signInView *views.SignIn // the sign-in window's form
	setWin     fyne.Window
	setView    *views.SettingsView
	monitors   *monitors // the settings window's preview and level
	memory     idleMemory
	// notify sends a desktop notification; tests record it instead.
	notify func(title, body string)
	// openSpeaker starts playing what pull gives on the named playback
	// device and returns what stops it (platform.OpenSpeaker); tests
	// stand in for a machine with or without sound.
	openSpeaker func(device string, pull func(pcm []int16) int) (stop func(), err error)
}

// New builds the app on a fyne.App (app.NewWithID in main, test.NewApp in
// tests).
func New(fa fyne.App, opts ...Option) *App {
	o := options{audioCall: true, videoCall: true, hostAddr: ":7000", log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	for _, f := range opts {
		f(&o)
	}
	if o.dataDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			dir = os.TempDir()
		}
		o.dataDir = filepath.Join(dir, "parley", "server")
	}
	a := &App{fyne: fa, opts: o, log: o.log}
	a.notify = func(title, body string) { platform.Notify(fa, title, body) }
	a.openSpeaker = func(device string, pull func(pcm []int16) int) (func(), error) {
		return playing(platform.OpenSpeaker(device, pull))
	}
	// Quiet for a few seconds: the windows are drawn, the call is over.
	a.memory = idleMemory{settle: 5 * time.Second, release: debug.FreeOSMemory}
	a.monitors = newMonitors(a)
	if err := loadAssets(); err != nil {
		a.log.Error("translations", "err", err)
	}
	fa.SetIcon(assets.Icon)
	reportShown()
	a.memory.busy() // starting up
	a.settings = loadSettings(fa.Preferences())
	a.applyLook()
	a.setupTray()
	return a
}

// Fyne is the underlying fyne.App.
func (a *App) Fyne() fyne.App { return a.fyne }

// entries are the call entries both the builder and the settings allow.
func (a *App) entries() views.CallEntries {
	a.mu.Lock()
	defer a.mu.Unlock()
	return views.CallEntries{Voice: a.opts.audioCall && a.settings.VoiceCall, Video: a.opts.videoCall && a.settings.VideoCall}
}

func (a *App) currentSettings() views.Settings {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.settings
}

// applyLook sets the language and the theme of the settings.
func (a *App) applyLook() {
	s := a.currentSettings()
	views.SetLanguage(s.Language)
	a.fyne.Settings().SetTheme(assets.Theme(newTheme(s.Theme)))
}

// ShowSignIn opens the sign-in window. It runs on the UI goroutine.
func (a *App) ShowSignIn() {
	w := a.fyne.NewWindow("Parley")
	a.signIn = w
	var si *views.SignIn
	si = views.NewSignIn(loadSignIn(a.fyne.Preferences()), func(c views.SignInChoice) {
		go a.signInWith(c, w, si)
	})
	a.signInView = si
	si.CA.SetFile(a.currentSettings().CAFile)
	si.CA.Check = checkCAFile
	si.CA.OnChanged = func(file string) {
		s := a.currentSettings()
		s.CAFile = file
		a.changeSettings(s)
	}
	a.mu.Lock()
	if a.host != nil {
		si.SetAddress(a.host.LAN)
	}
	a.mu.Unlock()
	w.SetContent(si.Object())
	w.Resize(fyne.NewSize(900, 620))
	w.SetMaster()
	w.Show()
}

// signInWith hosts or connects, signs in, and turns the window into the
// main window. It runs off the UI goroutine.
func (a *App) signInWith(c views.SignInChoice, w fyne.Window, si *views.SignIn) {
	o := client.Options{BaseURL: c.URL, User: c.User, Password: c.Password, Logger: a.log}
	if c.Mode == views.ModeHost {
		h, err := a.ensureHost()
		if err != nil {
			fyne.Do(func() { si.SetStatus(err) })
			return
		}
		o.BaseURL = h.URL
		fyne.Do(func() { si.SetAddress(h.LAN) })
	} else if file := a.currentSettings().CAFile; file != "" {
		roots, err := loadCA(file)
		if err != nil {
			fyne.Do(func() { si.SetStatus(err) })
			return
		}
		o.RootCAs = roots
	}
	cl, err := dial(o, c.Register)
	if err != nil {
		fyne.Do(func() { si.SetStatus(err) })
		return
	}
	fyne.Do(func() {
		saveSignIn(a.fyne.Preferences(), c)
		a.addSession(a.startSession(cl, w))
		w.Resize(fyne.NewSize(900, 620))
	})
}

func (a *App) addSession(s *Session) {
	a.mu.Lock()
	a.sessions = append(a.sessions, s)
	a.mu.Unlock()
	a.memory.busy() // signed in: a main window built
	if _, ok := a.fyne.(desktop.App); ok {
		// Closing the main window keeps the app in the tray, so that
		// invites still ring.
		s.win.SetCloseIntercept(s.win.Hide)
	}
	a.updateTray()
}

// ensureHost starts the embedded server once.
func (a *App) ensureHost() (*Host, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.host != nil {
		return a.host, nil
	}
	if err := os.MkdirAll(a.opts.dataDir, 0o700); err != nil {
		return nil, err
	}
	h, err := StartHost(a.opts.dataDir, listenAddr(a.opts.hostAddr, a.settings.ShareOnNetwork), a.log)
	if err != nil {
		return nil, err
	}
	a.host = h
	return h, nil
}

// listenAddr is where the embedded server listens: addr, and when addr
// names no host, loopback unless the person shares the server.
func listenAddr(addr string, share bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" || share {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// showSettings opens the settings window.
func (a *App) showSettings() {
	if a.setWin != nil {
		a.setWin.Show()
		a.setWin.RequestFocus()
		return
	}
	w := a.fyne.NewWindow(views.T("Settings"))
	a.setWin = w
	w.SetOnClosed(func() {
		a.setWin, a.setView = nil, nil
		a.monitors.close()
	})
	a.installSettings(w, a.currentSettings())
	w.Resize(fyne.NewSize(460, 560))
	w.Show()
}

// installSettings shows the settings s in their window w.
func (a *App) installSettings(w fyne.Window, s views.Settings) {
	v := views.NewSettingsView(s, a.deviceLists(), a.changeSettings)
	v.CA.Check = checkCAFile
	a.setView = v
	v.Install(w)
	a.showHostAddress(v)
	a.monitors.open(v)
}

// showHostAddress shows in the settings the address others join the
// embedded server at, if it runs.
func (a *App) showHostAddress(v *views.SettingsView) {
	a.mu.Lock()
	h := a.host
	a.mu.Unlock()
	if h != nil {
		v.SetHostAddress(h.LAN)
	}
}

// changeSettings saves and applies a change of settings.
func (a *App) changeSettings(s views.Settings) {
	a.mu.Lock()
	old := a.settings
	a.settings = s
	sessions := append([]*Session(nil), a.sessions...)
	a.mu.Unlock()
	saveSettings(a.fyne.Preferences(), s)
	if old.Language != s.Language || old.Theme != s.Theme {
		a.applyLook()
	}
	a.monitors.changed(old, s)
	if old.Language != s.Language {
		for _, ss := range sessions {
			ss.buildMain()
		}
		if a.setWin != nil {
			w := a.setWin
			w.SetTitle(views.T("Settings"))
			a.installSettings(w, s)
		}
		a.updateTray()
		return
	}
	for _, ss := range sessions {
		ss.main.SetEntries(a.entries())
	}
}

// setupTray puts the app in the system tray: open, status, quit.
func (a *App) setupTray() {
	a.updateTray()
}

func (a *App) updateTray() {
	desk, ok := a.fyne.(desktop.App)
	if !ok {
		return
	}
	a.mu.Lock()
	sessions := append([]*Session(nil), a.sessions...)
	a.mu.Unlock()
	status := views.T("Not signed in")
	if len(sessions) > 0 {
		status = views.Tf("Signed in as %s", sessions[0].me)
	}
	st := fyne.NewMenuItem(status, nil)
	st.Disabled = true
	open := fyne.NewMenuItem(views.T("Open Parley"), func() {
		for _, s := range sessions {
			s.win.Show()
			s.win.RequestFocus()
		}
		if len(sessions) == 0 && a.signIn != nil {
			a.signIn.Show()
		}
	})
	desk.SetSystemTrayMenu(fyne.NewMenu("Parley", open, st))
}

// Close signs out every session and stops the embedded server.
func (a *App) Close() {
	a.mu.Lock()
	sessions, host := a.sessions, a.host
	a.sessions, a.host = nil, nil
	a.mu.Unlock()
	for _, s := range sessions {
		s.Close()
	}
	if host != nil {
		host.Close()
	}
	a.monitors.close()
	a.monitors.wait()
	a.memory.close()
}

// Run shows the sign-in window and runs the app until it quits.
func (a *App) Run() {
	a.ShowSignIn()
	a.fyne.Run()
	a.Close()
}

// splash is a window's content while it signs in.
func splash(text string) fyne.CanvasObject {
	t := canvas.NewText(text, color.Gray{Y: 0x80})
	return container.NewCenter(t)
}
