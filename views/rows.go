package views

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

// The rows of the main window's lists: conversations and calls.

// Call directions, as the calls tab marks them (Material's "call_made"
// and "call_received").
var (
	outgoingIcon = theme.NewThemedResource(svgIcon("call_made.svg", "M9 5v2h6.59L4 18.59 5.41 20 17 8.41V15h2V5z"))
	incomingIcon = theme.NewThemedResource(svgIcon("call_received.svg", "M20 5.41L18.59 4 7 15.59V9H5v10h10v-2H8.41z"))
	missedIcon   = theme.NewErrorThemedResource(incomingIcon)
	voiceIcon    = theme.NewThemedResource(callIcon)
	videoIcon    = theme.NewThemedResource(svgIcon("videocam.svg", videocamPath))
)

// ConvRow is a conversation's row: avatar and presence dot; the title
// with the time after it; under them the last message, as wide as the row
// allows, with the unread badge after it.
type ConvRow struct {
	widget.BaseWidget
	Title   *widget.Label
	Preview *widget.Label
	At      *canvas.Text
	Badge   *UnreadBadge
	avatar  *fyne.Container
	dot     *canvas.Circle
	content fyne.CanvasObject
}

func newConvRow() fyne.CanvasObject {
	r := &ConvRow{Title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Preview: widget.NewLabel(""), At: caption(""), Badge: newUnreadBadge(),
		avatar: container.NewStack(), dot: canvas.NewCircle(color.Transparent)}
	r.Title.Truncation = fyne.TextTruncateEllipsis
	r.Preview.Truncation = fyne.TextTruncateEllipsis
	left := container.NewHBox(r.avatar, container.NewVBox(container.New(&fixedSize{size: fyne.NewSquareSize(8)}, r.dot)))
	lines := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewCenter(r.At), r.Title),
		container.NewBorder(nil, nil, nil, container.NewCenter(r.Badge.box), r.Preview))
	r.content = container.NewBorder(nil, nil, left, nil, lines)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *ConvRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *ConvRow) set(c Conversation) {
	r.avatar.Objects = []fyne.CanvasObject{Avatar(c.Title, 36)}
	r.avatar.Refresh()
	r.dot.FillColor = color.Transparent
	if !c.Group {
		r.dot.FillColor = presenceColor(c.Online)
	}
	r.dot.Refresh()
	r.Title.SetText(c.Title)
	r.Preview.SetText(firstLine(c.Last))
	r.At.Text = MessageTime(c.LastAt, now())
	r.At.Refresh()
	r.Badge.Set(c.Unread)
}

// UnreadBadge is the red count of unread messages; hidden at none.
type UnreadBadge struct {
	Count *canvas.Text
	shape *fixedSize
	box   *fyne.Container
}

func newUnreadBadge() *UnreadBadge {
	b := &UnreadBadge{Count: canvas.NewText("", color.White), shape: &fixedSize{}}
	b.Count.TextSize = theme.CaptionTextSize()
	b.Count.TextStyle.Bold = true
	pill := canvas.NewRectangle(color.NRGBA{0xe5, 0x39, 0x35, 0xff})
	pill.CornerRadius = badgeHeight / 2
	b.box = container.New(b.shape, pill, container.NewCenter(b.Count))
	return b
}

// badgeHeight is the badge's; wider counts make it a pill.
const badgeHeight = 18

// Set shows n unread messages: "99+" past 99.
func (b *UnreadBadge) Set(n int) {
	if n <= 0 {
		b.box.Hide()
		return
	}
	b.Count.Text = fmt.Sprint(n)
	if n > 99 {
		b.Count.Text = "99+"
	}
	w := fyne.MeasureText(b.Count.Text, b.Count.TextSize, b.Count.TextStyle).Width
	b.shape.size = fyne.NewSize(max(badgeHeight, w+10), badgeHeight)
	b.box.Show()
	b.box.Refresh()
}

// Visible tells whether the badge shows.
func (b *UnreadBadge) Visible() bool { return b.box.Visible() }

// HistoryRow is a call of the calls tab: the person's (or group's)
// avatar; their name; under it the call's direction, its kind and how it
// went, a missed call in red; the time on the right.
type HistoryRow struct {
	widget.BaseWidget
	Title     *widget.Label
	Direction *widget.Icon
	Kind      *widget.Icon
	Detail    *widget.Label
	At        *canvas.Text
	avatar    *fyne.Container
	content   fyne.CanvasObject
}

func newHistoryRow() fyne.CanvasObject {
	r := &HistoryRow{Title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Direction: widget.NewIcon(outgoingIcon), Kind: widget.NewIcon(voiceIcon), Detail: widget.NewLabel(""),
		At: caption(""), avatar: container.NewStack()}
	r.Title.Truncation = fyne.TextTruncateEllipsis
	r.Detail.Truncation = fyne.TextTruncateEllipsis
	detail := container.NewBorder(nil, nil, container.NewHBox(r.Direction, r.Kind), nil, r.Detail)
	r.content = container.NewBorder(nil, nil, r.avatar, container.NewCenter(r.At), container.NewVBox(r.Title, detail))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *HistoryRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *HistoryRow) set(h HistoryEntry, me string) {
	r.avatar.Objects = []fyne.CanvasObject{Avatar(h.Conv.Title, 36)}
	r.avatar.Refresh()
	r.Title.SetText(h.Conv.Title)
	var direction fyne.Resource = outgoingIcon
	text := CallRecordText(h.Msg)
	r.Detail.Importance = widget.MediumImportance
	if h.Msg.From != me {
		direction = incomingIcon
	}
	if Missed(h.Msg, me) { // red, in the callee's words
		text, direction, r.Detail.Importance = T("Missed call"), missedIcon, widget.DangerImportance
	}
	r.Direction.SetResource(direction)
	var kind fyne.Resource = voiceIcon
	if h.Msg.Media == protocol.MediaVideo {
		kind = videoIcon
	}
	r.Kind.SetResource(kind)
	r.Detail.SetText(text)
	r.At.Text = MessageTime(time.UnixMilli(h.Msg.TimeMS), now())
	r.At.Refresh()
}

// caption is small grey text.
func caption(s string) *canvas.Text {
	t := canvas.NewText(s, theme.Color(theme.ColorNamePlaceHolder))
	t.TextSize = theme.CaptionTextSize()
	return t
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "…"
	}
	return s
}
