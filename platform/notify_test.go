package platform

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// notifyApp records notifications, which Notify sends off the caller's
// goroutine.
type notifyApp struct {
	fyne.App
	sent chan *fyne.Notification
}

func (a notifyApp) SendNotification(n *fyne.Notification) { a.sent <- n }

func TestNotify(t *testing.T) {
	app := notifyApp{App: test.NewTempApp(t), sent: make(chan *fyne.Notification, 1)}
	Notify(app, "Incoming video call", "alice is calling you")
	select {
	case n := <-app.sent:
		if n.Title != "Incoming video call" || n.Content != "alice is calling you" {
			t.Errorf("notification %+v", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification sent")
	}
}
