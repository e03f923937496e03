package views

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

// InviteWindow is the window of an incoming call: the caller's large
// avatar, "bob invites you to a video call" (a group invite names the
// group and who else is invited), the seconds left, and round Decline,
// Accept and, for video, "Answer with voice". Enter accepts, Escape
// declines.
type InviteWindow struct {
	Window    fyne.Window
	Countdown *Countdown
	Accept    *RoundButton // nil when this device cannot answer with video
	Decline   *RoundButton
	Voice     *RoundButton // "Answer with voice"; nil for a voice call
	Kind      *widget.Label
}

// NewInviteWindow builds and shows the window of the incoming call snap;
// snap.VoiceOnly (no camera here) leaves only the voice answer.
func NewInviteWindow(a fyne.App, snap CallSnapshot, do CallActions) *InviteWindow {
	c := snap.Call
	iw := &InviteWindow{Window: a.NewWindow(T(inviteWindowTitle)), Countdown: NewCountdown()}
	iw.Kind = widget.NewLabelWithStyle(InviteText(snap), fyne.TextAlignCenter, fyne.TextStyle{})
	iw.Kind.Wrapping = fyne.TextWrapWord
	fg := theme.Color(theme.ColorNameForeground)
	iw.Decline = NewRoundButton(T("Decline"), callEndIcon, hangupColor, fg, 64, do.Decline)
	buttons := []fyne.CanvasObject{iw.Decline}
	video := c.Media == protocol.MediaVideo
	if video {
		iw.Voice = NewRoundButton(T("Answer with voice"), callIcon, acceptColor, fg, 64, func() { do.Accept(true) })
		buttons = append(buttons, iw.Voice)
	}
	if !video || !snap.VoiceOnly {
		icon := callIcon
		if video {
			icon = theme.MediaVideoIcon()
		}
		iw.Accept = NewRoundButton(T("Accept"), icon, acceptColor, fg, 64, func() { do.Accept(false) })
		buttons = append(buttons, iw.Accept)
	}
	rows := container.NewVBox(layout.NewSpacer(), container.NewCenter(Avatar(c.Caller, 112)),
		widget.NewLabelWithStyle(c.Caller, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		iw.Kind, iw.Countdown, layout.NewSpacer(), controlRow(buttons...))
	if video && snap.VoiceOnly {
		note := canvas.NewText(T("No camera: answer with voice"), color.NRGBA{0x75, 0x75, 0x75, 0xff})
		note.Alignment = fyne.TextAlignCenter
		rows.Add(note)
	}
	iw.Window.SetContent(container.NewPadded(rows))
	iw.Window.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			do.Accept(iw.Accept == nil)
		case fyne.KeyEscape:
			do.Decline()
		}
	})
	iw.Window.Resize(fyne.NewSize(340, 420))
	iw.Window.SetFixedSize(true)
	iw.Window.CenterOnScreen()
	iw.Update(snap)
	iw.Window.Show()
	iw.Window.RequestFocus()
	return iw
}

// InviteText says who invites me to what: "bob invites you to a video
// call", or for a group, its name and who else is invited.
func InviteText(snap CallSnapshot) string {
	c, me := snap.Call, snap.Me
	kind := T("a voice call")
	if c.Media == protocol.MediaVideo {
		kind = T("a video call")
	}
	if !c.Group {
		return Tf("%s invites you to %s", c.Caller, kind)
	}
	var others []string
	for _, p := range c.Participants {
		if p.User != me && p.User != c.Caller {
			others = append(others, p.User)
		}
	}
	text := Tf("%s invites you to %s in %s", c.Caller, kind, snap.Title)
	if len(others) > 0 {
		text += "\n" + Tf("with %s", strings.Join(others, ", "))
	}
	return text
}

// groupName is a group conversation's id without its kind.
func groupName(conv string) string { return strings.TrimPrefix(conv, "group:") }

// Update shows the seconds left.
func (iw *InviteWindow) Update(snap CallSnapshot) {
	if snap.SecondsLeft > 0 && iw.Countdown.Seconds != snap.SecondsLeft {
		iw.Countdown.Set(snap.SecondsLeft)
	}
}

// Close closes the window.
func (iw *InviteWindow) Close() { iw.Window.Close() }
