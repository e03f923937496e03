package platform

import "fyne.io/fyne/v2"

// Notify sends a desktop notification without waiting for it: delivery
// can be slow (a D-Bus call on Linux, PowerShell on Windows) and callers
// are the UI goroutine. The goroutine ends when the system has answered;
// nothing waits for it, as a notification gives nothing back and quitting
// must not wait for a stuck notification service.
func Notify(a fyne.App, title, body string) {
	go a.SendNotification(fyne.NewNotification(title, body))
}
