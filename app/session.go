package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"image"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"parley/callcore"
	"parley/client"
	"parley/protocol"
	"parley/views"
)

// requestTimeout bounds the app's own requests to the server.
const requestTimeout = 10 * time.Second

// Session is one signed-in device: its connection, its call engine, its
// chat state and its windows.
type Session struct {
	app     *App
	client  *client.Client
	phone   *callcore.Phone
	chat    *chatState
	me      string
	win     fyne.Window
	main    *views.MainView
	screens *views.CallScreens
	ringer  *ringer
	audio   liveDevice     // the call's sound, while media flows
	sound   callSound      // what the speaker plays of it: silence while the speaker is off
	devices sync.WaitGroup // opening and closing the ringtone and the call's sound
	done    chan struct{}
}

// startSession wires a connected client to a new main window. It runs on
// the UI goroutine.
func (a *App) startSession(c *client.Client, win fyne.Window) *Session {
	s := &Session{app: a, client: c, chat: newChatState(c.User()), me: c.User(), win: win, done: make(chan struct{})}
	s.screens = views.NewCallScreens(a.fyne, s.me, nil)
	s.screens.Members = s.members
	s.screens.Title = s.convTitle
	s.screens.OnError = s.showError
	s.screens.OnSpeakerOff = s.sound.off.Store
	ring, err := ringtone()
	if err != nil {
		a.log.Error("the ringtone does not decode", "err", err)
	}
	s.ringer = &ringer{app: a, ring: ring, wg: &s.devices}
	s.phone = callcore.New(c, callcore.Config{
		Devices:   a.devices(),
		Ringer:    s.ringer,
		TestMedia: a.opts.testMedia,
		Capture: func() (string, string) {
			st := a.currentSettings()
			return st.Camera, st.Microphone
		},
		VoiceProcessing: a.voiceProcessing,
		OnEvent:         s.callEvent,
		OnFrame:         func(user string, img *image.RGBA) { s.screens.UserFrame(user, img) },
		OnLocalFrame:    func(img *image.RGBA) { s.screens.LocalFrame(img) },
	})
	s.screens.Control = s.phone
	s.buildMain()
	go s.events()
	go s.load()
	return s
}

// callEvent is the call engine's OnEvent: the call's sound follows its
// state, and the views show the event on the UI goroutine.
func (s *Session) callEvent(ev callcore.Event) {
	a := s.app
	if ev.Type == callcore.EventState {
		s.playCall(ev.State)
	}
	fyne.Do(func() {
		if ev.Type == callcore.EventState {
			a.monitors.inCall(s, ev.State != callcore.Idle)
			if ev.State == callcore.Idle {
				a.memory.busy() // a call just ended
			}
		}
		before := screenName(s.screens)
		s.screens.HandleEvent(ev)
		if ev.Type == callcore.EventState && ev.State == callcore.Incoming {
			s.announce(ev.Call)
		}
		if after := screenName(s.screens); after != before {
			a.log.Info("call screen", "user", s.me, "screen", after)
		}
	})
}

// buildMain (re)builds the main window's content, after sign-in and after
// a change of language.
func (s *Session) buildMain() {
	old := s.main
	s.main = views.NewMainView(s.win, s.me, s.phone, s, s.app.entries())
	s.main.OnError = s.showError
	s.main.OnOpen = func(id string) { go s.open(id) }
	s.main.OnChat = s.chatWith
	s.main.OnSettings = s.app.showSettings
	s.main.OnNewChat = s.newChat
	s.win.SetContent(s.main.Object())
	s.win.SetTitle(views.Tf("Parley — %s", s.me))
	s.screens.Retitle()
	if old != nil { // a new language: the same tab and chat, in its words
		s.main.Tabs.SelectIndex(old.Tabs.SelectedIndex())
		if old.Chat != nil {
			s.main.SetConversations(s.chat.snapshot().convs)
			s.main.Open(old.Chat.Conv.ID)
		}
	}
	go s.render()
}

func (s *Session) showError(err error) {
	dialog.ShowError(err, s.win)
}

// events is the one goroutine that reads the connection's events: each
// goes to the call engine and to the chat state, and the views are
// updated once per event.
func (s *Session) events() {
	defer close(s.done)
	for ev := range s.client.Events() {
		s.phone.HandleEvent(ev)
		switch ev.Type {
		case client.EventDisconnected:
			fyne.Do(func() { s.main.SetConnection(views.T("Reconnecting…")) })
			continue
		case client.EventReconnected, client.EventConnected:
			fyne.Do(func() { s.main.SetConnection("") })
			continue
		}
		if s.chat.applyEvent(ev) {
			s.render()
		}
	}
}

// render copies the chat state out and shows it, in one fyne.Do.
func (s *Session) render() {
	snap := s.chat.snapshot()
	fyne.Do(func() {
		m := s.main
		m.SetConversations(snap.convs)
		m.SetContacts(snap.contacts)
		m.SetHistory(snap.history)
		if m.Chat != nil && m.Chat.Conv.ID == snap.open {
			m.Chat.SetMessages(snap.msgs)
			m.Chat.SetGroupCall(snap.liveCall)
		}
	})
}

func (s *Session) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), requestTimeout)
}

// load fetches the conversations, their last messages and who is online.
func (s *Session) load() {
	ctx, cancel := s.ctx()
	defer cancel()
	var list protocol.Conversations
	if err := s.client.Request(ctx, protocol.TypeConversations, nil, &list); err != nil {
		s.app.log.Warn("listing conversations", "err", err)
		return
	}
	for _, c := range list.Conversations {
		s.chat.setConversation(c)
		var page protocol.Messages
		if err := s.client.Request(ctx, protocol.TypeChatHistory, &protocol.ChatHistory{Conversation: c.ID, Limit: 1}, &page); err == nil {
			s.chat.addMessages(page.Messages, false)
		}
	}
	if users := s.chat.contacts(); len(users) > 0 {
		var pr protocol.PresenceReply
		if err := s.client.Request(ctx, protocol.TypePresenceQuery, &protocol.PresenceQuery{Users: users}, &pr); err == nil {
			for _, p := range pr.Users {
				s.chat.setOnline(p.User, p.Online)
			}
		}
	}
	s.render()
}

// open loads a conversation's history the first time it is opened.
func (s *Session) open(id string) {
	if s.chat.openConv(id) {
		ctx, cancel := s.ctx()
		defer cancel()
		var page protocol.Messages
		if err := s.client.Request(ctx, protocol.TypeChatHistory, &protocol.ChatHistory{Conversation: id, Limit: protocol.MaxHistoryPage}, &page); err == nil {
			s.chat.addMessages(page.Messages, false)
			s.chat.setLoaded(id)
		}
	}
	s.render()
}

// chatWith opens (or starts) the direct conversation with user.
func (s *Session) chatWith(user string) {
	user = strings.TrimSpace(user)
	if user == "" || user == s.me {
		return
	}
	if err := protocol.ValidUserName(user); err != nil {
		s.showError(err)
		return
	}
	id := protocol.DirectConversation(s.me, user)
	s.chat.setConversation(protocol.Conversation{ID: id, Members: []string{s.me, user}})
	snap := s.chat.snapshot()
	s.main.SetConversations(snap.convs)
	s.main.Tabs.SelectIndex(0)
	s.main.Open(id)
}

// newChat asks for a user name and opens the chat with them.
func (s *Session) newChat() {
	views.ShowNameDialog(s.win, views.T("New chat"), views.T("User"), views.T("User name"), views.T("OK"), s.chatWith)
}

// SendText implements views.Messenger.
func (s *Session) SendText(conv, text string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := s.client.SendText(ctx, conv, text)
	if err != nil {
		return err
	}
	s.chat.addMessages([]protocol.Message{m}, false)
	s.render()
	return nil
}

// CreateGroup implements views.Messenger.
func (s *Session) CreateGroup(name string, members []string) (string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var r protocol.ConversationReply
	if err := s.client.Request(ctx, protocol.TypeGroupCreate, &protocol.GroupCreate{Name: name, Members: members}, &r); err != nil {
		return "", err
	}
	s.chat.setConversation(r.Conversation)
	s.render()
	return r.Conversation.ID, nil
}

// convTitle names a conversation on the call screens (a group invite):
// the group's name, or its id while the name is not known.
func (s *Session) convTitle(conv string) string {
	if name := s.chat.name(conv); name != "" {
		return name
	}
	return strings.TrimPrefix(conv, "group:")
}

func (s *Session) members(conv string) []string {
	return s.chat.snapshot().members[conv]
}

// Close hangs up, closes the engine and the connection.
func (s *Session) Close() {
	if st, _ := s.phone.State(); st != callcore.Idle {
		if err := s.phone.Hangup(); err != nil && !errors.Is(err, callcore.ErrNoCall) {
			s.app.log.Warn("hanging up", "err", err)
		}
	}
	s.phone.Close()
	s.client.Close()
	<-s.done
	// The engine and its events are over: nothing turns the sound on now.
	s.ringer.tone.halt(&s.devices)
	s.audio.halt(&s.devices)
	s.devices.Wait()
}

// dial signs in with o, registering first when asked.
func dial(o client.Options, register bool) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	if register {
		if err := o.Register(ctx); err != nil {
			return nil, untrustedInWords(o.BaseURL, fmt.Errorf("registering %s: %w", o.User, err))
		}
	}
	c, err := client.Dial(ctx, o)
	if err != nil {
		return nil, untrustedInWords(o.BaseURL, fmt.Errorf("signing in as %s: %w", o.User, err))
	}
	return c, nil
}

// untrustedInWords says, for a server whose certificate no authority here
// signed, where the person adds its private CA; other errors stay.
func untrustedInWords(url string, err error) error {
	if errors.Is(err, client.ErrUntrustedCertificate) {
		return errors.New(views.Tf("The certificate of %s is not signed by an authority this computer trusts. If the server has a private CA, add its file under Trusted certificate authority, here or in Settings.", url))
	}
	return err
}

// loadCA reads the trusted certificate authority's file, or says in words
// why it cannot be used.
func loadCA(file string) (*x509.CertPool, error) {
	roots, err := client.LoadRootCAs(file)
	switch {
	case errors.Is(err, client.ErrNoCertificate):
		return nil, errors.New(views.Tf("%s holds no PEM certificate", file))
	case err != nil:
		return nil, errors.New(views.Tf("Cannot read the certificate file: %s", err))
	}
	return roots, nil
}

// checkCAFile is the CA fields' Check.
func checkCAFile(file string) error {
	_, err := loadCA(file)
	return err
}

// screenName names the call screen that shows, for the log (the desktop
// smoke test reads it).
func screenName(s *views.CallScreens) string {
	switch s.Current().(type) {
	case *views.OutgoingScreen:
		return "outgoing"
	case *views.VoiceScreen:
		return "voice"
	case *views.VideoScreen:
		return "video"
	case *views.GroupScreen:
		return "group"
	}
	if s.Invite() != nil {
		return "invite"
	}
	return "none"
}
