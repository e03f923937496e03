package views

import (
	"image"
	"reflect"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"parley/media"
	"parley/protocol"
)

// The group call screen: a grid of up to 9 participant tiles (see
// grouptile.go), laid out by tileGrid, and the call's controls.

// GroupScreen is a group call: a grid of up to 9 tiles and "Invite
// more".
type GroupScreen struct {
	Timer  *canvas.Text
	Status *canvas.Text
	Invite *RoundButton
	Mute   *RoundButton
	Camera *RoundButton
	Hangup *RoundButton
	// Quality is this device's connection, on our own tile.
	Quality *QualityIndicator
	Tiles   map[string]*GroupTile

	me    string
	clock Clock
	// leaving are the tiles that say their person left (or declined),
	// each until its timer removes it.
	leaving  map[string]Timer
	call     protocol.Call   // the call of the latest SetCall
	quality  *fyne.Container // Quality, as our own tile shows it
	speaking []string        // the users of the latest SetSpeaking
	frames   newestPerUser[*image.RGBA]
	grid     *fyne.Container
	root     fyne.CanvasObject
}

// leftLinger is how long a tile says that its person left before it goes.
const leftLinger = 3 * time.Second

// NewGroupScreen builds the group call screen of the call snap; clock
// times how long a tile says that its person left.
func NewGroupScreen(snap CallSnapshot, clock Clock, do CallActions) *GroupScreen {
	v := &GroupScreen{Timer: whiteText("", 14, false), Status: whiteText("", 12, false), Quality: NewQualityIndicator(),
		Tiles: map[string]*GroupTile{}, me: snap.Me, clock: clock, leaving: map[string]Timer{}}
	v.frames.show = v.showFrame
	v.quality = container.NewHBox(tileLabel(v.Quality.Object()))
	v.Mute = callButton("", nil, do.Mute)
	v.Camera = callButton("", nil, do.Camera)
	v.Invite = callButton(T("Invite more"), theme.ContentAddIcon(), do.InviteMore)
	v.Hangup = hangupButton(T("Hang up"), do.Hangup)
	v.grid = container.New(tileGrid{})
	controls := container.NewVBox(v.Status, controlRow(v.Mute, v.Camera, v.Invite, v.Hangup))
	v.root = container.NewStack(darkBackground(), container.NewBorder(
		container.NewHBox(layout.NewSpacer(), v.Timer), controls, nil, nil, v.grid))
	v.Update(snap)
	return v
}

// Update shows the call's participants, who speaks, the timer, the
// status, the quality and our mute and camera.
func (v *GroupScreen) Update(snap CallSnapshot) {
	if !reflect.DeepEqual(v.call, snap.Call) {
		v.SetCall(snap.Call)
	}
	if !slices.Equal(v.speaking, snap.Speakers) {
		v.SetSpeaking(snap.Speakers)
	}
	if v.Quality.Level != snap.Quality {
		v.SetQuality(snap.Quality)
	}
	setText(v.Timer, &v.Timer.Text, snap.Time)
	setText(v.Status, &v.Status.Text, snap.StatusText())
	label, icon := muteFace(snap.Muted)
	v.Mute.Set(label, icon, snap.Muted)
	label, icon = cameraFace(snap.CameraOff)
	v.Camera.Set(label, icon, snap.CameraOff)
}

// Fits tells whether the screen shows snap: any group call.
func (v *GroupScreen) Fits(snap CallSnapshot) bool { return snap.Call.Group }

// Close stops the timers of the tiles that say their person left.
func (v *GroupScreen) Close() {
	for u, t := range v.leaving {
		t.Stop()
		delete(v.leaving, u)
	}
}

// Object is the view's canvas object.
func (v *GroupScreen) Object() fyne.CanvasObject { return v.root }

// SetCall shows a tile per participant still in the call (at most 9), in
// the call's order, each with its state, and for leftLinger the tile of
// one who left or declined, saying so; the camera button only in a video
// call.
func (v *GroupScreen) SetCall(c protocol.Call) {
	v.call = c
	v.call.Participants = slices.Clone(c.Participants) // Update compares with it; callers may reuse theirs
	video := c.Media == protocol.MediaVideo
	if video {
		v.Camera.Show()
	} else {
		v.Camera.Hide()
	}
	var objs []fyne.CanvasObject
	seen := map[string]bool{}
	for _, p := range c.Participants {
		t := v.Tiles[p.User]
		switch {
		case len(objs) == protocol.MaxCallSize:
			continue
		case inCall(p):
			if t == nil {
				t = v.newTile(p.User)
			}
			if timer := v.leaving[p.User]; timer != nil { // back in the call
				timer.Stop()
				delete(v.leaving, p.User)
			}
			t.set(p, video)
			t.setSpeaking(slices.Contains(v.speaking, p.User))
		case t == nil:
			continue
		case v.leaving[p.User] == nil:
			t.setGone(p)
			user := p.User
			v.leaving[user] = v.clock.AfterFunc(leftLinger, func() {
				delete(v.leaving, user)
				delete(v.Tiles, user)
				v.SetCall(v.call)
			})
		}
		seen[p.User] = true
		objs = append(objs, t.Object())
	}
	for u := range v.Tiles {
		if !seen[u] {
			delete(v.Tiles, u)
		}
	}
	v.grid.Objects = objs
	v.grid.Refresh()
}

// newTile makes user's tile; ours shows our connection's quality.
func (v *GroupScreen) newTile(user string) *GroupTile {
	var quality fyne.CanvasObject
	if user == v.me {
		quality = v.quality
	}
	t := newGroupTile(user, quality)
	v.Tiles[user] = t
	return t
}

// SetQuality shows this device's connection quality.
func (v *GroupScreen) SetQuality(l media.Quality) {
	v.Quality.Set(l)
	v.quality.Refresh() // its strip fits the new word
}

// inCall tells whether a participant is in the call or being rung into
// it.
func inCall(p protocol.Participant) bool {
	switch p.State {
	case protocol.StateJoined, protocol.StateInvited, protocol.StateRinging:
		return true
	}
	return false
}

// SetSpeaking highlights the tiles of users, the people speaking now, and
// no other.
func (v *GroupScreen) SetSpeaking(users []string) {
	v.speaking = slices.Clone(users)
	for u, t := range v.Tiles {
		t.setSpeaking(slices.Contains(users, u))
	}
}

// PushFrame hands over a frame of user's camera (ours: the local preview)
// for their tile; any goroutine. Each tile shows only its newest frame.
func (v *GroupScreen) PushFrame(user string, img *image.RGBA) { v.frames.put(user, img) }

func (v *GroupScreen) showFrame(user string, img *image.RGBA) {
	if t := v.Tiles[user]; t != nil {
		t.showFrame(img)
	}
}

// tileAspect is a tile's width over its height: landscape, as cameras
// send. A tile keeps it whatever the window's shape; the rest of its cell
// stays empty (letterboxed).
const tileAspect = 4.0 / 3

// tileGap is the space between tiles.
const tileGap = 6

// minTileWidth is the smallest a tile gets.
const minTileWidth = 120

// landscapeArea is an area of tileAspect, to size the grid at its
// smallest.
var landscapeArea = fyne.NewSize(960, 720)

// tileGrid lays tiles out in the columns and rows that give them the most
// room (gridShape), each at tileAspect, the grid centred and a last,
// shorter row centred too.
type tileGrid struct{}

// gridShape picks the columns and rows for n tiles in an area: the shape
// in which tiles kept at tileAspect come out largest; of equal ones, the
// one with more columns. In a landscape (4:3) area that is 2 → 2x1,
// 3–4 → 2x2, 5–6 → 3x2, 7–9 → 3x3; a tall area stacks more.
func gridShape(n int, area fyne.Size) (cols, rows int) {
	cols, rows = max(n, 1), 1
	best := float32(-1)
	for c := max(n, 1); c >= 1; c-- {
		r := (n + c - 1) / c
		if w, _ := tileSize(area, c, r); w > best*1.001 {
			best, cols, rows = w, c, r
		}
	}
	return cols, rows
}

// tileSize is the size of a tile, at tileAspect, in a grid of cols x rows
// filling area.
func tileSize(area fyne.Size, cols, rows int) (w, h float32) {
	cellW := (area.Width - tileGap*float32(cols-1)) / float32(cols)
	cellH := (area.Height - tileGap*float32(rows-1)) / float32(rows)
	w = max(min(cellW, cellH*tileAspect), 0)
	return w, w / tileAspect
}

func (tileGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	cols, rows := gridShape(len(objs), landscapeArea)
	return fyne.NewSize(float32(cols)*minTileWidth+tileGap*float32(cols-1),
		float32(rows)*minTileWidth/tileAspect+tileGap*float32(rows-1))
}

func (tileGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	cols, rows := gridShape(len(objs), size)
	w, h := tileSize(size, cols, rows)
	top := (size.Height - float32(rows)*h - tileGap*float32(rows-1)) / 2
	for i, o := range objs {
		row, col := i/cols, i%cols
		inRow := min(cols, len(objs)-row*cols)
		left := (size.Width - float32(inRow)*w - tileGap*float32(inRow-1)) / 2
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos(left+float32(col)*(w+tileGap), top+float32(row)*(h+tileGap)))
	}
}
