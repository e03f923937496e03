package platform

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// notifyApp records notifications, which Attention sends off the caller's
// goroutine.
type notifyApp struct {
	fyne.App
	sent chan *fyne.Notification
}

func (a notifyApp) SendNotification(n *fyne.Notification) { a.sent <- n }

func TestAttention(t *testing.T) {
	app := notifyApp{App: test.NewTempApp(t), sent: make(chan *fyne.Notification, 1)}
	w := app.NewWindow("invite")
	defer w.Close()
	ringErr := make(chan error, 2) // each try that fails reports
	a := &Attention{
		App:     app,
		Window:  func() fyne.Window { return w },
		Ring:    []int16{0, 1000, 0, -1000},
		OnError: func(err error) { ringErr <- err },
	}

	a.BringToFront()
	a.Notify("Incoming video call", "alice is calling you")
	select {
	case n := <-app.sent:
		if n.Title != "Incoming video call" || n.Content != "alice is calling you" {
			t.Errorf("notification %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification sent")
	}

	// With a sound card it rings; without one (CI) the app hears why.
	a.Ringtone(true)
	a.Ringtone(true)
	select {
	case err := <-ringErr:
		if !errors.Is(err, ErrNoSpeaker) {
			t.Errorf("ringtone error %v, want ErrNoSpeaker", err)
		}
	default:
		if a.ringing == nil {
			t.Error("no ringtone and no error")
		}
	}
	a.Ringtone(false)
	if a.ringing != nil {
		t.Error("still ringing after Ringtone(false)")
	}
}

// An Attention without a window (the CLI's case, or before the invite
// window exists) raises nothing.
func TestAttentionWithoutWindow(t *testing.T) {
	(&Attention{}).BringToFront()
	(&Attention{Window: func() fyne.Window { return nil }}).BringToFront()
}
