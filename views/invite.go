package views

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

// InviteWindow is the small window of an incoming call: the caller, the
// kind of call, the seconds left, Accept, Decline and, for video, "Answer
// with voice". Enter accepts, Escape declines.
type InviteWindow struct {
	Window    fyne.Window
	Countdown *Countdown
	Accept    *widget.Button
	Decline   *widget.Button
	Voice     *widget.Button // "Answer with voice"; nil for a voice call
	Kind      *widget.Label
}

// NewInviteWindow builds and shows the window of call. onAnswer gets
// whether to answer with voice only; voiceOnly (no camera here) leaves only
// the voice answer.
func NewInviteWindow(a fyne.App, call protocol.Call, voiceOnly bool, onAnswer func(voice bool), onDecline func()) *InviteWindow {
	iw := &InviteWindow{Window: a.NewWindow(T("Incoming call")), Countdown: NewCountdown()}
	video := call.Media == protocol.MediaVideo
	kind := T("Voice call")
	if video {
		kind = T("Video call")
	}
	if call.Group {
		kind = Tf("%s · group", kind)
	}
	iw.Kind = widget.NewLabelWithStyle(kind, fyne.TextAlignCenter, fyne.TextStyle{})
	name := widget.NewLabelWithStyle(call.Caller, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	iw.Decline = widget.NewButtonWithIcon(T("Decline"), theme.CancelIcon(), onDecline)
	iw.Decline.Importance = widget.DangerImportance
	acceptIcon := theme.VolumeUpIcon()
	if video {
		acceptIcon = theme.MediaVideoIcon()
	}
	iw.Accept = widget.NewButtonWithIcon(T("Accept"), acceptIcon, func() { onAnswer(false) })
	iw.Accept.Importance = widget.SuccessImportance
	buttons := container.NewGridWithColumns(2, iw.Decline, iw.Accept)
	rows := container.NewVBox(container.NewCenter(Avatar(call.Caller, 80)), name, iw.Kind, iw.Countdown, buttons)
	if video {
		iw.Voice = widget.NewButtonWithIcon(T("Answer with voice"), theme.VolumeUpIcon(), func() { onAnswer(true) })
		rows.Add(iw.Voice)
		if voiceOnly {
			iw.Accept.Disable()
			iw.Voice.Importance = widget.SuccessImportance
			note := canvas.NewText(T("No camera: answer with voice"), color.NRGBA{0x9e, 0x9e, 0x9e, 0xff})
			note.Alignment = fyne.TextAlignCenter
			rows.Add(note)
		}
	}
	iw.Window.SetContent(container.NewPadded(rows))
	iw.Window.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			if !iw.Accept.Disabled() {
				onAnswer(false)
			} else if iw.Voice != nil {
				onAnswer(true)
			}
		case fyne.KeyEscape:
			onDecline()
		}
	})
	iw.Window.Resize(fyne.NewSize(300, 320))
	iw.Window.SetFixedSize(true)
	iw.Window.CenterOnScreen()
	iw.Window.Show()
	iw.Window.RequestFocus()
	return iw
}

// Close closes the window.
func (iw *InviteWindow) Close() { iw.Window.Close() }
