package callcore

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/protocol"
)

// TestGroupCallMediaThroughTheSFU: three phones in a group voice call get
// each other's sound through the server's SFU, each sender counted apart.
// A muted participant's audio stops reaching the others and comes back on
// unmute; one who hangs up stops reaching them while the two others go on.
func TestGroupCallMediaThroughTheSFU(t *testing.T) {
	url := startServer(t, 30*time.Second)
	alice, bob, carol := connect(t, url, "alice", granted), connect(t, url, "bob", granted), connect(t, url, "carol", granted)
	var group protocol.ConversationReply
	if err := alice.c.Request(context.Background(), protocol.TypeGroupCreate,
		protocol.GroupCreate{Name: "team", Members: []string{"bob", "carol"}}, &group); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.phone.Call(group.Conversation.ID, protocol.MediaAudio, nil, 0); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*device{bob, carol} {
		d.waitState(Incoming)
		if err := d.phone.Accept(false); err != nil {
			t.Fatal(err)
		}
	}
	everyone := []*device{alice, bob, carol}
	for _, d := range everyone {
		d.waitState(Active)
	}
	for _, d := range everyone {
		for _, from := range everyone {
			if from != d {
				d.heardGrow(from.c.User(), 25)
			}
		}
	}

	// The test tone is loud: the SFU hears the others speak, from the
	// level each puts on its packets.
	alice.wait(func(ev Event) bool {
		return ev.Type == EventSpeaking && slices.Contains(ev.Speakers, "bob")
	})

	if err := bob.phone.SetMuted(true); err != nil {
		t.Fatal(err)
	}
	alice.heardStop("bob")
	carol.heardStop("bob")
	alice.heardGrow("carol", 25) // the call goes on
	if err := bob.phone.SetMuted(false); err != nil {
		t.Fatal(err)
	}
	alice.heardGrow("bob", 25)
	carol.heardGrow("bob", 25)

	if err := carol.phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	alice.heardStop("carol")
	bob.heardStop("carol")
	alice.heardGrow("bob", 25)
	bob.heardGrow("alice", 25)
}

// heard is how many audio packets from user have reached d.
func (d *device) heard(user string) int64 {
	c, _ := d.phone.Counters()
	return c.Senders[user].AudioPacketsReceived
}

// heardGrow waits until n more audio packets from user reach d.
func (d *device) heardGrow(user string, n int64) {
	d.t.Helper()
	start := d.heard(user)
	deadline := time.Now().Add(30 * time.Second)
	for d.heard(user) < start+n {
		if time.Now().After(deadline) {
			c, _ := d.phone.Counters()
			d.t.Fatalf("%s: audio from %s did not come: %+v", d.c.User(), user, c.Senders)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// heardStop waits until audio from user no longer reaches d: no packet in
// half a second (25 would come at 50 a second).
func (d *device) heardStop(user string) {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := d.heard(user)
	for {
		time.Sleep(500 * time.Millisecond)
		now := d.heard(user)
		if now == last {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%s: audio from %s kept coming", d.c.User(), user)
		}
		last = now
	}
}

// TestGroupCallMediaAfterReconnect: bob's signaling drops while the call
// changes (carol leaves: the SFU's new offer to bob is lost). Once he is
// back his media joins the SFU afresh, so he hears dave, who joins later,
// and the others go on hearing him; what he counted before carries over.
func TestGroupCallMediaAfterReconnect(t *testing.T) {
	url := startServer(t, 30*time.Second)
	proxy := harness.StartProxy(t, strings.TrimPrefix(url, "http://"))
	alice, carol, dave := connect(t, url, "alice", granted), connect(t, url, "carol", granted), connect(t, url, "dave", granted)
	bob := connect(t, "http://"+proxy.Addr, "bob", granted)
	var group protocol.ConversationReply
	if err := alice.c.Request(context.Background(), protocol.TypeGroupCreate,
		protocol.GroupCreate{Name: "team", Members: []string{"bob", "carol", "dave"}}, &group); err != nil {
		t.Fatal(err)
	}
	call, err := alice.phone.Call(group.Conversation.ID, protocol.MediaAudio, []string{"bob", "carol"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*device{bob, carol} {
		d.waitState(Incoming)
		if err := d.phone.Accept(false); err != nil {
			t.Fatal(err)
		}
	}
	bob.waitState(Active)
	bob.heardGrow("alice", 25)
	bob.heardGrow("carol", 25)
	before := bob.heard("alice")

	proxy.Cut()
	if err := carol.phone.Hangup(); err != nil {
		t.Fatal(err)
	}
	alice.heardStop("carol")
	proxy.Restore()
	if err := dave.phone.Join(call.ID); err != nil {
		t.Fatal(err)
	}
	bob.heardGrow("dave", 25)
	alice.heardGrow("bob", 25)
	dave.heardGrow("bob", 25)
	if got := bob.heard("alice"); got <= before {
		t.Fatalf("bob's count of alice's audio went from %d to %d: the first connection's counts were lost", before, got)
	}
}
