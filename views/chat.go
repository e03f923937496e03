package views

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"parley/protocol"
)

// now is the clock of message times; tests replace it.
var now = time.Now

// CallEntries says which call entries the "more" menu offers, as TUIChat's
// enableAudioCall and enableVideoCall do.
type CallEntries struct {
	Voice bool
	Video bool
}

// MoreMenu is the menu of the chat's "more" (+) button: the enabled call
// entries. onCall gets protocol.MediaAudio or protocol.MediaVideo.
func MoreMenu(entries CallEntries, onCall func(media string)) *fyne.Menu {
	var items []*fyne.MenuItem
	if entries.Voice {
		it := fyne.NewMenuItem(T("Voice call"), func() { onCall(protocol.MediaAudio) })
		it.Icon = theme.VolumeUpIcon()
		items = append(items, it)
	}
	if entries.Video {
		it := fyne.NewMenuItem(T("Video call"), func() { onCall(protocol.MediaVideo) })
		it.Icon = theme.MediaVideoIcon()
		items = append(items, it)
	}
	return fyne.NewMenu("", items...)
}

// MaxGroupCallInvitees is how many others a group call may ring.
const MaxGroupCallInvitees = protocol.MaxCallSize - 1

// ChatView is one conversation: its messages, a "Join" banner while a group
// call goes on, the input box and the "more" button.
type ChatView struct {
	Me      string
	Conv    Conversation
	OnError func(error)

	win       fyne.Window
	dialer    Dialer
	messenger Messenger
	entries   CallEntries

	title    *widget.Label
	presence *canvas.Circle
	banner   *fyne.Container
	bannerL  *widget.Label
	joinCall string
	list     *fyne.Container
	scroll   *container.Scroll
	shown    []protocol.Message
	Input    *MessageEntry
	More     *widget.Button
	Picker   *MemberPicker // the open member picker, for tests
	root     fyne.CanvasObject
}

// NewChatView builds the chat of conv.
func NewChatView(win fyne.Window, me string, conv Conversation, d Dialer, m Messenger, entries CallEntries) *ChatView {
	c := &ChatView{Me: me, Conv: conv, win: win, dialer: d, messenger: m, entries: entries}
	c.OnError = func(err error) { dialog.ShowError(err, win) }
	c.title = widget.NewLabelWithStyle(conv.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.presence = canvas.NewCircle(color.Transparent)
	c.bannerL = widget.NewLabel("")
	join := widget.NewButtonWithIcon(T("Join"), theme.LoginIcon(), c.join)
	join.Importance = widget.HighImportance
	c.banner = container.NewBorder(nil, nil, nil, join, c.bannerL)
	c.banner.Hide()
	c.list = container.NewVBox()
	c.scroll = container.NewVScroll(c.list)
	c.Input = NewMessageEntry()
	c.Input.SetPlaceHolder(T("Type a message"))
	c.Input.OnSubmitted = func(string) { c.send() }
	send := widget.NewButtonWithIcon("", theme.MailSendIcon(), c.send)
	c.More = widget.NewButtonWithIcon("", theme.ContentAddIcon(), c.showMore)
	c.updateMore()
	header := container.NewHBox(Avatar(conv.Title, 28), c.title, container.New(&fixedSize{size: fyne.NewSquareSize(10)}, c.presence))
	c.SetOnline(conv.Online)
	bottom := container.NewBorder(nil, nil, c.More, send, c.Input)
	c.root = container.NewBorder(container.NewVBox(header, widget.NewSeparator(), c.banner), bottom, nil, nil, c.scroll)
	return c
}

// Object is the view's canvas object.
func (c *ChatView) Object() fyne.CanvasObject { return c.root }

// SetOnline shows the presence dot of a 1:1 conversation.
func (c *ChatView) SetOnline(online bool) {
	c.Conv.Online = online
	switch {
	case c.Conv.Group:
		c.presence.FillColor = color.Transparent
	case online:
		c.presence.FillColor = color.NRGBA{0x43, 0xa0, 0x47, 0xff}
	default:
		c.presence.FillColor = color.NRGBA{0x9e, 0x9e, 0x9e, 0xff}
	}
	c.presence.Refresh()
}

// SetEntries changes which call entries the "more" menu offers.
func (c *ChatView) SetEntries(e CallEntries) {
	c.entries = e
	c.updateMore()
}

func (c *ChatView) updateMore() {
	if c.entries.Voice || c.entries.Video {
		c.More.Show()
	} else {
		c.More.Hide()
	}
}

// MoreMenu is the menu the "more" button opens.
func (c *ChatView) MoreMenu() *fyne.Menu { return MoreMenu(c.entries, c.startCall) }

func (c *ChatView) showMore() {
	widget.ShowPopUpMenuAtRelativePosition(c.MoreMenu(), c.win.Canvas(), fyne.NewPos(0, -c.More.Size().Height*2), c.More)
}

// startCall places a call of media: in a group, with the members the
// person picks.
func (c *ChatView) startCall(media string) {
	if !c.Conv.Group {
		c.place(media, nil)
		return
	}
	c.Picker = ShowMemberPicker(c.win, T("Choose members"), others(c.Conv.Members, c.Me), MaxGroupCallInvitees,
		func(users []string) { c.place(media, users) })
}

func (c *ChatView) place(media string, invitees []string) {
	conv, d := c.Conv.ID, c.dialer
	background(func() error {
		_, err := d.Call(conv, media, invitees, 0)
		return err
	}, c.OnError)
}

// SetGroupCall shows the "Join" banner for a group call going on in this
// conversation that this device is not in; nil hides it.
func (c *ChatView) SetGroupCall(call *protocol.Call) {
	if call == nil {
		c.joinCall = ""
		c.banner.Hide()
		return
	}
	c.joinCall = call.ID
	joined := 0
	for _, p := range call.Participants {
		if p.State == protocol.StateJoined {
			joined++
		}
	}
	kind := T("Voice call")
	if call.Media == protocol.MediaVideo {
		kind = T("Video call")
	}
	c.bannerL.SetText(Tf("%s in progress · %d joined", kind, joined))
	c.banner.Show()
}

func (c *ChatView) join() {
	id, d := c.joinCall, c.dialer
	if id == "" {
		return
	}
	background(func() error { return d.Join(id) }, c.OnError)
}

func (c *ChatView) send() {
	text := strings.TrimSpace(c.Input.Text)
	if text == "" {
		return
	}
	c.Input.SetText("")
	conv, m := c.Conv.ID, c.messenger
	background(func() error { return m.SendText(conv, text) }, c.OnError)
}

// SetMessages shows msgs, oldest first. Messages already shown stay; new
// ones are added at the end.
func (c *ChatView) SetMessages(msgs []protocol.Message) {
	prefix := len(c.shown) <= len(msgs)
	for i := 0; prefix && i < len(c.shown); i++ {
		prefix = c.shown[i].Seq == msgs[i].Seq && c.shown[i].ClientID == msgs[i].ClientID
	}
	start := len(c.shown)
	if !prefix {
		c.list.RemoveAll()
		start = 0
	}
	for _, m := range msgs[start:] {
		c.list.Add(c.messageRow(m))
	}
	c.shown = append(c.shown[:0], msgs...)
	c.list.Refresh()
	c.scroll.ScrollToBottom()
}

// Rows are the shown message rows, for tests.
func (c *ChatView) Rows() []fyne.CanvasObject { return c.list.Objects }

func (c *ChatView) messageRow(m protocol.Message) fyne.CanvasObject {
	mine := m.From == c.Me
	at := MessageTime(time.UnixMilli(m.TimeMS), now())
	if m.Type == protocol.KindCallRecord {
		if c.Conv.Group {
			return CallRecordTip(m)
		}
		return bubbleRow(mine, m.From, false, CallRecordBubble(m, mine), at)
	}
	return bubbleRow(mine, m.From, c.Conv.Group, TextBubble(m.Text, mine), at)
}

// bubbleRow places a bubble on its side, with the sender's avatar and the
// time under it.
func bubbleRow(mine bool, from string, showName bool, bubble fyne.CanvasObject, at string) fyne.CanvasObject {
	t := canvas.NewText(at, theme.Color(theme.ColorNamePlaceHolder))
	t.TextSize = theme.CaptionTextSize()
	col := container.NewVBox()
	if showName && !mine {
		n := canvas.NewText(from, theme.Color(theme.ColorNamePlaceHolder))
		n.TextSize = theme.CaptionTextSize()
		col.Add(n)
	}
	if mine {
		t.Alignment = fyne.TextAlignTrailing
		col.Add(container.NewHBox(layout.NewSpacer(), bubble))
		col.Add(t)
		return container.NewBorder(nil, nil, nil, container.NewVBox(Avatar(from, 32)), col)
	}
	col.Add(container.NewHBox(bubble, layout.NewSpacer()))
	col.Add(t)
	return container.NewBorder(nil, nil, container.NewVBox(Avatar(from, 32)), nil, col)
}

// bubbleColor is the background of my bubbles and of the others'.
func bubbleColor(mine bool) color.Color {
	if mine {
		return color.NRGBA{0xdc, 0xea, 0xfd, 0xff}
	}
	return color.NRGBA{0xf0, 0xf0, 0xf0, 0xff}
}

// TextBubble is a text message's bubble.
func TextBubble(text string, mine bool) fyne.CanvasObject {
	lines := container.NewVBox()
	for _, line := range wrapText(text, 48) {
		lines.Add(canvas.NewText(line, color.NRGBA{0x21, 0x21, 0x21, 0xff}))
	}
	return bubble(lines, mine)
}

func bubble(content fyne.CanvasObject, mine bool) fyne.CanvasObject {
	bg := canvas.NewRectangle(bubbleColor(mine))
	bg.CornerRadius = 8
	return container.NewStack(bg, container.NewPadded(content))
}

// CallRecordBubble is a 1:1 call record: the call's icon and how it ended.
func CallRecordBubble(m protocol.Message, mine bool) fyne.CanvasObject {
	icon := voiceRecordIcon
	if m.Media == protocol.MediaVideo {
		icon = videoRecordIcon
	}
	text := canvas.NewText(CallRecordText(m), color.NRGBA{0x21, 0x21, 0x21, 0xff})
	img := canvas.NewImageFromResource(icon)
	img.SetMinSize(fyne.NewSquareSize(18))
	return bubble(container.NewHBox(img, text), mine)
}

// CallRecordTip is a group call record: a centred grey line.
func CallRecordTip(m protocol.Message) fyne.CanvasObject {
	t := canvas.NewText(GroupCallRecordText(m), theme.Color(theme.ColorNamePlaceHolder))
	t.TextSize = theme.CaptionTextSize()
	return container.NewCenter(t)
}

// wrapText cuts text into lines of at most width runes, at spaces where it
// can (and anywhere in text without spaces, such as Chinese).
func wrapText(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		r := []rune(para)
		for len(r) > width {
			cut := width
			for i := width; i > width/2; i-- {
				if r[i] == ' ' {
					cut = i
					break
				}
			}
			out = append(out, string(r[:cut]))
			r = r[cut:]
			if len(r) > 0 && r[0] == ' ' {
				r = r[1:]
			}
		}
		out = append(out, string(r))
	}
	return out
}
