package webtest

import "time"

// What a test does with Parley's page, by the page's element ids.

// SignIn opens the client at base, signs in and waits until it is online.
func (b *Browser) SignIn(base, user, password string) {
	b.tb.Helper()
	b.Goto(base + "/")
	b.Fill("#login-user", user)
	b.Fill("#login-password", password)
	b.Click("#login-submit")
	b.Wait("#conn-status", "Online", 15*time.Second)
}

// OpenChat opens the direct conversation with peer.
func (b *Browser) OpenChat(peer string) {
	b.tb.Helper()
	b.Fill("#new-chat-user", peer)
	b.Click("#new-chat button")
	b.Wait("#chat-title", peer, 5*time.Second)
}

// Send types a message into the open conversation and sends it.
func (b *Browser) Send(text string) {
	b.tb.Helper()
	b.Fill("#composer", text)
	b.Click("#send")
}

// Call places a call from the open conversation's "more" menu: media is
// "audio" or "video".
func (b *Browser) Call(media string) {
	b.tb.Helper()
	b.Click("#more")
	if media == "video" {
		b.Click("#video-call")
	} else {
		b.Click("#voice-call")
	}
}
