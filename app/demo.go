package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	"parley/client"
	"parley/protocol"
	"parley/views"
)

// Demo users and their password.
const demoPassword = "parley-demo"

// RunDemo starts the embedded server and two signed-in windows, alice's
// and bob's, so that a newcomer can try a call on one machine. call, when
// "audio" or "video", has alice call bob once both are up (a hook for the
// smoke test).
func (a *App) RunDemo(call string) error {
	h, err := a.ensureHost()
	if err != nil {
		return err
	}
	var wins [2]fyne.Window
	for i, u := range []string{"alice", "bob"} {
		w := a.fyne.NewWindow(views.Tf("Parley — %s", u))
		w.SetContent(splash(views.T("Signing in…")))
		w.Resize(fyne.NewSize(820, 560))
		if i == 0 {
			w.SetMaster()
		}
		w.Show()
		wins[i] = w
	}
	go func() {
		var sessions [2]*Session
		for i, u := range []string{"alice", "bob"} {
			c, err := demoDial(h.URL, u)
			if err != nil {
				a.log.Error("demo sign-in", "user", u, "err", err)
				fyne.Do(func() { wins[i].SetContent(splash(err.Error())) })
				return
			}
			done := make(chan struct{})
			fyne.Do(func() {
				sessions[i] = a.startSession(c, wins[i])
				a.addSession(sessions[i])
				close(done)
			})
			<-done
		}
		conv := protocol.DirectConversation("alice", "bob")
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		if _, err := sessions[0].client.SendText(ctx, conv, "Hi Bob! Open this chat and press + to call me."); err != nil {
			a.log.Warn("demo message", "err", err)
		}
		for _, s := range sessions {
			go s.load()
			fyne.Do(func() { s.main.Open(conv) })
		}
		if call == protocol.MediaAudio || call == protocol.MediaVideo {
			time.Sleep(time.Second)
			if _, err := sessions[0].phone.Call(conv, call, nil, 0); err != nil {
				a.log.Error("demo call", "err", err)
			}
		}
	}()
	return nil
}

// demoDial signs a demo user in, registering them the first time.
func demoDial(url, user string) (*client.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	err := client.Register(ctx, url, user, demoPassword)
	var pe *protocol.Error
	if err != nil && !(errors.As(err, &pe) && pe.Code == protocol.CodeConflict) {
		return nil, fmt.Errorf("registering %s: %w", user, err)
	}
	return dial(client.Options{BaseURL: url, User: user, Password: demoPassword}, false)
}
