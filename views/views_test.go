package views

import (
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"parley/callcore"
	"parley/internal/harness"
	"parley/protocol"
)

func TestMain(m *testing.M) {
	// Fyne's log, collected so that a UI call from a wrong goroutine ("***
	// Error in Fyne call thread") fails the tests.
	fyneLog := &harness.LockedBuffer{}
	log.SetOutput(io.MultiWriter(os.Stderr, fyneLog))
	code := m.Run()
	if strings.Contains(fyneLog.String(), "Error in Fyne call thread") {
		os.Stderr.WriteString("FAIL: Fyne reported a call from the wrong goroutine\n")
		code = 1
	}
	os.Exit(code)
}

// fakePhone records what the views ask of the engine.
type fakePhone struct {
	calls chan string
}

func newFakePhone() *fakePhone { return &fakePhone{calls: make(chan string, 32)} }

func (f *fakePhone) rec(s string) { f.calls <- s }

func (f *fakePhone) Call(conv, media string, invitees []string, _ time.Duration) (protocol.Call, error) {
	f.rec("call " + conv + " " + media + " " + strings.Join(invitees, ","))
	return protocol.Call{}, nil
}
func (f *fakePhone) Join(id string) error { f.rec("join " + id); return nil }
func (f *fakePhone) Accept(voice bool) error {
	f.rec("accept " + map[bool]string{true: "voice", false: "full"}[voice])
	return nil
}
func (f *fakePhone) Decline() error { f.rec("decline"); return nil }
func (f *fakePhone) Hangup() error  { f.rec("hangup"); return nil }
func (f *fakePhone) SetMuted(m bool) error {
	f.rec("muted " + map[bool]string{true: "on", false: "off"}[m])
	return nil
}
func (f *fakePhone) SetCameraOff(o bool) error {
	f.rec("camera_off " + map[bool]string{true: "on", false: "off"}[o])
	return nil
}
func (f *fakePhone) SwitchToAudio() error { f.rec("switch_to_audio"); return nil }

// State is an engine that has not heard back from the server yet.
func (f *fakePhone) State() (callcore.State, protocol.Call) { return callcore.Idle, protocol.Call{} }
func (f *fakePhone) AddToCall(users []string) error {
	f.rec("add " + strings.Join(users, ","))
	return nil
}
func (f *fakePhone) SendText(conv, text string) error { f.rec("send " + conv + " " + text); return nil }
func (f *fakePhone) CreateGroup(n string, m []string) (string, error) {
	f.rec("group " + n + " " + strings.Join(m, ","))
	return "g1", nil
}

// expect waits for the next request to the engine.
func (f *fakePhone) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-f.calls:
		if got != want {
			t.Fatalf("engine got %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("engine got nothing, want %q", want)
	}
}

func (f *fakePhone) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-f.calls:
		t.Fatalf("engine got %q, want nothing", got)
	case <-time.After(50 * time.Millisecond):
	}
}

// texts are the strings shown by o and everything in it.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		switch x := obj.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		}
	}
	return out
}

func shows(o fyne.CanvasObject, s string) bool {
	return slices.ContainsFunc(texts(o), func(t string) bool { return strings.Contains(t, s) })
}

func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		out = append(out, it.Label)
	}
	return out
}

func direct() Conversation {
	return Conversation{ID: protocol.DirectConversation("alice", "bob"), Title: "bob", Members: []string{"alice", "bob"}}
}
