package views

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"parley/protocol"
)

// GroupTile is one participant's tile of the group call: their video, or
// their avatar while no video shows; their name with the mute badge; the
// speaking border; and on our own tile our connection's quality, top
// left.
type GroupTile struct {
	User     string
	Video    *VideoSurface
	Muted    *fyne.Container   // the mute badge, shown while they are muted
	Status   *canvas.Text      // under the avatar: "Ringing…", "Camera off"
	Speaking *canvas.Rectangle // the speaking border, shown while they speak

	videoCall bool
	cameraOff bool
	gotFrame  bool              // a frame came since their camera last went on
	avatar    fyne.CanvasObject // the avatar and Status
	picture   *fyne.Container   // the video, or avatar
	box       fyne.CanvasObject
}

// newGroupTile builds user's tile showing the avatar; quality is our
// connection's quality on our own tile, else nil.
func newGroupTile(user string, quality fyne.CanvasObject) *GroupTile {
	t := &GroupTile{User: user, Video: NewVideoSurface(), Muted: muteBadge(),
		Status: whiteText("", 11, false), Speaking: speakingBorder()}
	t.avatar = container.NewCenter(container.NewVBox(container.NewCenter(Avatar(user, 56)), t.Status))
	t.picture = container.NewStack(t.avatar)
	bg := canvas.NewRectangle(color.NRGBA{0x33, 0x36, 0x3a, 0xff})
	bg.CornerRadius = 6
	labels := container.NewBorder(quality, container.NewHBox(nameTag(user, t.Muted)), nil, nil)
	t.box = container.NewStack(bg, t.picture, container.NewPadded(labels), t.Speaking)
	return t
}

// Object is the tile's canvas object.
func (t *GroupTile) Object() fyne.CanvasObject { return t.box }

// ShowsVideo tells whether the tile shows the video rather than the
// avatar.
func (t *GroupTile) ShowsVideo() bool { return t.picture.Objects[0] == t.Video.Image }

// set shows the participant's state; videoCall: the call is a video call.
func (t *GroupTile) set(p protocol.Participant, videoCall bool) {
	if t.Muted.Visible() != p.Muted {
		t.Muted.Hidden = !p.Muted
		t.Muted.Refresh()
	}
	t.videoCall, t.cameraOff = videoCall, p.CameraOff
	if !t.videoCall || t.cameraOff {
		t.gotFrame = false // a camera turned on again shows no stale frame
	}
	status := ""
	switch {
	case p.State == protocol.StateInvited || p.State == protocol.StateRinging:
		status = T("Ringing…")
	case videoCall && p.CameraOff:
		status = T("Camera off")
	}
	if t.Status.Text != status {
		t.Status.Text = status
		t.Status.Refresh()
	}
	t.showPicture()
}

// goneTexts say why a participant's tile is about to go, by their state.
var goneTexts = map[string]string{
	protocol.StateLeft:      "%s left",
	protocol.StateDeclined:  "%s declined",
	protocol.StateBusy:      "%s is busy",
	protocol.StateNoAnswer:  "%s did not answer",
	protocol.StateCancelled: "%s left",
}

// setGone says, in place of the video, that the participant left the
// call (or never joined it).
func (t *GroupTile) setGone(p protocol.Participant) {
	format, ok := goneTexts[p.State]
	if !ok {
		format = goneTexts[protocol.StateLeft]
	}
	t.videoCall, t.gotFrame = false, false // their video stopped: the avatar, with the words
	t.Status.Text = Tf(format, p.User)
	t.Status.Refresh()
	t.showPicture()
}

// showFrame shows a frame of the participant's camera, unless their
// camera is off or the call is a voice call.
func (t *GroupTile) showFrame(img *image.RGBA) {
	if !t.videoCall || t.cameraOff {
		return
	}
	t.Video.showFrame(img)
	if !t.gotFrame {
		t.gotFrame = true
		t.showPicture()
	}
}

// showPicture shows the video once a frame of a camera that is on came,
// else the avatar.
func (t *GroupTile) showPicture() {
	want := t.avatar
	if t.videoCall && !t.cameraOff && t.gotFrame {
		want = t.Video.Image
	}
	if t.picture.Objects[0] != want {
		t.picture.Objects[0] = want
		t.picture.Refresh()
	}
}

func (t *GroupTile) setSpeaking(on bool) {
	if t.Speaking.Visible() != on {
		t.Speaking.Hidden = !on
		t.Speaking.Refresh()
	}
}

// speakingColor marks who speaks.
var speakingColor = color.NRGBA{0x43, 0xa0, 0x47, 0xff}

// speakingBorder is the coloured frame around the tile of someone
// speaking; hidden until they do.
func speakingBorder() *canvas.Rectangle {
	r := canvas.NewRectangle(color.Transparent)
	r.StrokeColor = speakingColor
	r.StrokeWidth = 3
	r.CornerRadius = 6
	r.Hide()
	return r
}

// muteBadge is the round red mark of a muted participant; hidden until
// they mute.
func muteBadge() *fyne.Container {
	icon := canvas.NewImageFromResource(theme.NewColoredResource(theme.VolumeMuteIcon(), theme.ColorNameForegroundOnError))
	icon.FillMode = canvas.ImageFillContain
	badge := container.New(&fixedSize{size: fyne.NewSquareSize(18)},
		canvas.NewCircle(color.NRGBA{0xe5, 0x39, 0x35, 0xff}), container.NewPadded(icon))
	badge.Hide()
	return badge
}

// nameTag is the participant's name at the bottom of the tile, after
// their mute badge.
func nameTag(user string, badge fyne.CanvasObject) fyne.CanvasObject {
	return tileLabel(container.NewHBox(badge, whiteText(user, 12, true)))
}

// tileLabel is content on a dark strip, readable over the video.
func tileLabel(content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{0, 0, 0, 0x99})
	bg.CornerRadius = 4
	return container.NewStack(bg, content)
}
