package views

import (
	"errors"
	"image"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"parley/protocol"
)

func TestSwitchingLanguageChangesLabels(t *testing.T) {
	test.NewTempApp(t)
	if err := AddTranslations(SimplifiedChinese, []byte(`{"Voice call":"语音通话","Video call":"视频通话","Declined":"已拒绝"}`)); err != nil {
		t.Fatal(err)
	}
	defer SetLanguage(English)
	SetLanguage(SimplifiedChinese)
	if got := menuLabels(MoreMenu(CallEntries{true, true}, func(string) {})); !slices.Equal(got, []string{"语音通话", "视频通话"}) {
		t.Fatalf("zh menu %q", got)
	}
	if got := CallRecordText(protocol.Message{Outcome: protocol.OutcomeDeclined}); got != "已拒绝" {
		t.Fatalf("zh record %q", got)
	}
	SetLanguage(English)
	if got := menuLabels(MoreMenu(CallEntries{true, true}, func(string) {})); !slices.Equal(got, []string{"Voice call", "Video call"}) {
		t.Fatalf("en menu %q", got)
	}
}

func TestSettingsReportChanges(t *testing.T) {
	test.NewTempApp(t)
	var got Settings
	v := NewSettingsView(DefaultSettings(), DeviceLists{Speakers: []string{"a", "b"}}, func(s Settings) { got = s })
	v.VideoCall.SetChecked(false)
	if got.VideoCall || !got.VoiceCall {
		t.Fatalf("settings %+v", got)
	}
	v.Language.SetSelected("简体中文")
	if got.Language != SimplifiedChinese {
		t.Fatalf("language %q", got.Language)
	}
	v.Theme.SetSelected("Dark")
	v.Speaker.SetSelected("b")
	if got.Theme != ThemeDark || got.Speaker != "b" {
		t.Fatalf("settings %+v", got)
	}
}

func TestSignInRemembersAndValidates(t *testing.T) {
	test.NewTempApp(t)
	var got []SignInChoice
	s := NewSignIn(SignInChoice{Mode: ModeConnect, URL: "http://h:7000", User: "bob"}, func(c SignInChoice) { got = append(got, c) })
	if !s.URL.Disabled() == false && s.Choice(false).Mode != ModeConnect {
		t.Fatal("last choice not restored")
	}
	test.Tap(s.SignIn)
	if len(got) != 0 || s.Status.Text == "" {
		t.Fatal("signed in without a password")
	}
	test.Type(s.Password, "secret")
	test.Tap(s.Register)
	if len(got) != 1 || got[0] != (SignInChoice{Mode: ModeConnect, URL: "http://h:7000", User: "bob", Password: "secret", Register: true}) {
		t.Fatalf("choice %+v", got)
	}
	s.SetStatus(errors.New("wrong password"))
	if s.SignIn.Disabled() || s.Status.Text != "wrong password" {
		t.Fatal("status not shown")
	}
}

func TestMainViewListsAndOpens(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	ph := newFakePhone()
	v := NewMainView(w, "alice", ph, ph, CallEntries{true, true})
	w.SetContent(v.Object())
	w.Resize(fyne.NewSize(900, 600))
	var opened []string
	v.OnOpen = func(id string) { opened = append(opened, id) }
	conv := direct()
	conv.Last, conv.Unread, conv.Online = "see you", 3, true
	v.SetConversations([]Conversation{conv})
	row := test.WidgetRenderer(v.ConvList).Objects()
	_ = row
	if !shows(v.ConvList, "see you") || !shows(v.ConvList, "3") {
		t.Fatalf("conversation row: %q", texts(v.ConvList))
	}
	v.ConvList.Select(0)
	if len(opened) != 1 || v.Chat == nil || v.Chat.Conv.ID != conv.ID {
		t.Fatal("conversation not opened")
	}
	// Unanswered: "No answer" for the caller, a missed call for the callee.
	for _, tc := range []struct{ from, want string }{{"alice", "No answer"}, {"bob", "Missed call"}} {
		v.SetHistory([]HistoryEntry{{Conv: conv, Msg: protocol.Message{From: tc.from, Type: protocol.KindCallRecord, Outcome: protocol.OutcomeNoAnswer}}})
		v.Tabs.SelectIndex(2)
		v.HistoryList.Refresh()
		if !shows(v.HistoryList, "bob") || !shows(v.HistoryList, tc.want) {
			t.Fatalf("history of a call from %s: %q", tc.from, texts(v.HistoryList))
		}
	}
}

func TestSettingsShowDevicesPreviewAndLevel(t *testing.T) {
	test.NewTempApp(t)
	var got Settings
	cur := DefaultSettings()
	cur.Microphone = "Mic B"
	v := NewSettingsView(cur, DeviceLists{Cameras: []string{"Cam A", "Cam B"}, Microphones: []string{"Mic A", "Mic B"}},
		func(s Settings) { got = s })
	w := test.NewWindow(v.Object())
	defer w.Close()
	if !slices.Equal(v.Camera.Options, []string{"Cam A", "Cam B"}) || !slices.Equal(v.Microphone.Options, []string{"Mic A", "Mic B"}) {
		t.Fatalf("lists %q %q", v.Camera.Options, v.Microphone.Options)
	}
	if v.Camera.Selected != "" || v.Microphone.Selected != "Mic B" {
		t.Fatalf("selected %q %q", v.Camera.Selected, v.Microphone.Selected)
	}
	v.Camera.SetSelected("Cam B")
	if got.Camera != "Cam B" || got.Microphone != "Mic B" {
		t.Fatalf("settings %+v", got)
	}
	frame := image.NewRGBA(image.Rect(0, 0, 32, 24))
	done := make(chan struct{})
	go func() { // the capture goroutines
		defer close(done)
		v.Preview.Push(frame)
		v.SetLevel(0.25)
		v.SetLevel(0.75)
	}()
	<-done
	if v.Preview.Frames() != 1 || v.Preview.Image.Image != frame {
		t.Fatalf("%d frames shown", v.Preview.Frames())
	}
	if v.Level.Value != 0.75 || v.Level.TextFormatter() != "" {
		t.Fatalf("level %v %q", v.Level.Value, v.Level.TextFormatter())
	}
	if v.NoCamera.Visible() || v.NoMicrophone.Visible() {
		t.Fatal("a device reported missing")
	}
	v.SetCameraMissing(true)
	v.SetMicrophoneMissing(true)
	if !v.NoCamera.Visible() || v.NoCamera.Text != "No camera found" || v.Preview.Image.Visible() {
		t.Fatal("no \"No camera found\"")
	}
	if !v.NoMicrophone.Visible() || v.NoMicrophone.Text != "No microphone found" || v.Level.Visible() || v.Level.Value != 0 {
		t.Fatal("no \"No microphone found\"")
	}
	v.SetCameraMissing(false)
	if v.NoCamera.Visible() || !v.Preview.Image.Visible() {
		t.Fatal("the preview did not come back")
	}
}

// The trusted certificate authority is offered when connecting to a
// server, not when hosting one.
func TestSignInOffersTheCAWhenConnecting(t *testing.T) {
	test.NewTempApp(t)
	s := NewSignIn(SignInChoice{Mode: ModeHost}, func(SignInChoice) {})
	if s.caBox.Visible() {
		t.Fatal("the CA field shows while hosting")
	}
	s.Mode.SetSelected("Connect to a server")
	if !s.caBox.Visible() || s.CA.File.Text != "None: the system's authorities" {
		t.Fatalf("connecting: CA field shown %v, says %q", s.caBox.Visible(), s.CA.File.Text)
	}
}
