package views

import (
	"fmt"
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

// HistoryEntry is one call of the call history.
type HistoryEntry struct {
	Conv Conversation
	Msg  protocol.Message // the call record
}

// MainView is the main window: conversations, contacts and call history on
// the left, the open chat on the right.
type MainView struct {
	Me         string
	OnOpen     func(conv string) // the person opened a conversation
	OnChat     func(user string) // the person starts a chat with a contact
	OnSettings func()
	OnNewChat  func()
	OnError    func(error)

	win       fyne.Window
	dialer    Dialer
	messenger Messenger
	entries   CallEntries

	Convs    []Conversation
	Contacts []Contact
	History  []HistoryEntry

	ConvList    *widget.List
	ContactList *widget.List
	HistoryList *widget.List
	Tabs        *container.AppTabs
	Chat        *ChatView
	Conn        *widget.Label // connection state
	chatBox     *fyne.Container
	root        fyne.CanvasObject
}

// NewMainView builds the main window's content.
func NewMainView(win fyne.Window, me string, d Dialer, m Messenger, entries CallEntries) *MainView {
	v := &MainView{Me: me, win: win, dialer: d, messenger: m, entries: entries, Conn: widget.NewLabel("")}
	v.OnError = func(err error) { dialog.ShowError(err, win) }
	v.ConvList = widget.NewList(func() int { return len(v.Convs) }, newConvRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(v.Convs) {
			setConvRow(o, v.Convs[i])
		}
	})
	v.ConvList.OnSelected = func(i widget.ListItemID) {
		if i < len(v.Convs) {
			v.Open(v.Convs[i].ID)
		}
	}
	v.ContactList = widget.NewList(func() int { return len(v.Contacts) }, func() fyne.CanvasObject {
		return container.NewHBox(container.New(&fixedSize{size: fyne.NewSquareSize(10)}, canvas.NewCircle(color.Transparent)), widget.NewLabel(""))
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(v.Contacts) {
			return
		}
		row := o.(*fyne.Container)
		dot := row.Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
		dot.FillColor = presenceColor(v.Contacts[i].Online)
		dot.Refresh()
		row.Objects[1].(*widget.Label).SetText(v.Contacts[i].User)
	})
	v.ContactList.OnSelected = func(i widget.ListItemID) {
		if i < len(v.Contacts) && v.OnChat != nil {
			v.OnChat(v.Contacts[i].User)
		}
		v.ContactList.UnselectAll()
	}
	v.HistoryList = widget.NewList(func() int { return len(v.History) }, func() fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewIcon(theme.VolumeUpIcon()), widget.NewLabel(""), widget.NewLabel(""))
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i >= len(v.History) {
			return
		}
		h := v.History[i]
		row := o.(*fyne.Container)
		label, text := row.Objects[0].(*widget.Label), CallRecordText(h.Msg)
		label.Importance = widget.MediumImportance
		if Missed(h.Msg, me) { // red, in the callee's words
			text, label.Importance = T("Missed call"), widget.DangerImportance
		}
		label.SetText(h.Conv.Title + " · " + text)
		icon := theme.VolumeUpIcon()
		if h.Msg.Media == protocol.MediaVideo {
			icon = theme.MediaVideoIcon()
		}
		row.Objects[1].(*widget.Icon).SetResource(icon)
		row.Objects[2].(*widget.Label).SetText(MessageTime(time.UnixMilli(h.Msg.TimeMS), now()))
	})
	v.HistoryList.OnSelected = func(i widget.ListItemID) {
		if i < len(v.History) {
			v.Tabs.SelectIndex(0)
			v.Open(v.History[i].Conv.ID)
		}
		v.HistoryList.UnselectAll()
	}
	v.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(T("Chats"), theme.MailComposeIcon(), v.ConvList),
		container.NewTabItemWithIcon(T("Contacts"), theme.AccountIcon(), v.ContactList),
		container.NewTabItemWithIcon(T("Calls"), theme.HistoryIcon(), v.HistoryList),
	)
	newGroup := widget.NewButtonWithIcon("", theme.ContentAddIcon(), v.NewGroup)
	newChat := widget.NewButtonWithIcon("", theme.MailComposeIcon(), func() {
		if v.OnNewChat != nil {
			v.OnNewChat()
		}
	})
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() {
		if v.OnSettings != nil {
			v.OnSettings()
		}
	})
	top := container.NewHBox(Avatar(me, 28), widget.NewLabelWithStyle(me, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		layout.NewSpacer(), newChat, newGroup, settings)
	left := container.NewBorder(container.NewVBox(top, v.Conn), nil, nil, nil, v.Tabs)
	v.chatBox = container.NewStack(container.NewCenter(widget.NewLabel(T("Choose a conversation"))))
	split := container.NewHSplit(left, v.chatBox)
	split.Offset = 0.32
	v.root = split
	return v
}

// Object is the view's canvas object.
func (v *MainView) Object() fyne.CanvasObject { return v.root }

func presenceColor(online bool) color.Color {
	if online {
		return color.NRGBA{0x43, 0xa0, 0x47, 0xff}
	}
	return color.NRGBA{0x9e, 0x9e, 0x9e, 0xff}
}

// a conversation row: avatar | title, last message | time, unread badge
func newConvRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	last := widget.NewLabel("")
	last.Truncation = fyne.TextTruncateEllipsis
	at := canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder))
	at.TextSize = theme.CaptionTextSize()
	badge := widget.NewLabel("")
	badge.Importance = widget.DangerImportance
	dot := canvas.NewCircle(color.Transparent)
	avatar := container.NewStack()
	return container.NewBorder(nil, nil,
		container.NewHBox(avatar, container.NewVBox(container.New(&fixedSize{size: fyne.NewSquareSize(8)}, dot))),
		container.NewVBox(at, badge), container.NewVBox(title, last))
}

func setConvRow(o fyne.CanvasObject, c Conversation) {
	row := o.(*fyne.Container)
	mid := row.Objects[0].(*fyne.Container)
	left := row.Objects[1].(*fyne.Container)
	right := row.Objects[2].(*fyne.Container)
	avatar := left.Objects[0].(*fyne.Container)
	avatar.Objects = []fyne.CanvasObject{Avatar(c.Title, 36)}
	avatar.Refresh()
	dot := left.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle)
	if c.Group {
		dot.FillColor = color.Transparent
	} else {
		dot.FillColor = presenceColor(c.Online)
	}
	dot.Refresh()
	mid.Objects[0].(*widget.Label).SetText(c.Title)
	mid.Objects[1].(*widget.Label).SetText(firstLine(c.Last))
	at := right.Objects[0].(*canvas.Text)
	at.Text = MessageTime(c.LastAt, now())
	at.Refresh()
	badge := right.Objects[1].(*widget.Label)
	if c.Unread > 0 {
		badge.SetText(fmt.Sprint(c.Unread))
		badge.Show()
	} else {
		badge.Hide()
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// SetConversations shows the conversation list; the open chat follows its
// conversation's changes.
func (v *MainView) SetConversations(convs []Conversation) {
	v.Convs = convs
	v.ConvList.Refresh()
	if v.Chat != nil {
		for _, c := range convs {
			if c.ID == v.Chat.Conv.ID {
				v.Chat.Conv.Members = c.Members
				v.Chat.SetOnline(c.Online)
			}
		}
	}
}

// SetContacts shows the contact list.
func (v *MainView) SetContacts(cs []Contact) {
	v.Contacts = cs
	v.ContactList.Refresh()
}

// SetHistory shows the call history, newest first.
func (v *MainView) SetHistory(h []HistoryEntry) {
	v.History = h
	v.HistoryList.Refresh()
}

// SetEntries changes the call entries of the chats.
func (v *MainView) SetEntries(e CallEntries) {
	v.entries = e
	if v.Chat != nil {
		v.Chat.SetEntries(e)
	}
}

// SetConnection shows the connection's state ("" when all is well).
func (v *MainView) SetConnection(text string) { v.Conn.SetText(text) }

// Open shows the chat of conversation id.
func (v *MainView) Open(id string) {
	var conv *Conversation
	for i := range v.Convs {
		if v.Convs[i].ID == id {
			conv = &v.Convs[i]
		}
	}
	if conv == nil {
		return
	}
	if v.Chat == nil || v.Chat.Conv.ID != id {
		v.Chat = NewChatView(v.win, v.Me, *conv, v.dialer, v.messenger, v.entries)
		v.Chat.OnError = v.OnError
		v.chatBox.Objects = []fyne.CanvasObject{v.Chat.Object()}
		v.chatBox.Refresh()
	}
	if v.OnOpen != nil {
		v.OnOpen(id)
	}
}

// NewGroup asks for a name and members and creates the group.
func (v *MainView) NewGroup() {
	var people []string
	for _, c := range v.Contacts {
		people = append(people, c.User)
	}
	if len(people) == 0 {
		dialog.ShowInformation(T("New group"), T("Chat with someone first: groups are made of your contacts."), v.win)
		return
	}
	name := widget.NewEntry()
	name.SetPlaceHolder(T("Group name"))
	dialog.ShowForm(T("New group"), T("Next"), T("Cancel"), []*widget.FormItem{widget.NewFormItem(T("Name"), name)}, func(ok bool) {
		if !ok || strings.TrimSpace(name.Text) == "" {
			return
		}
		n := strings.TrimSpace(name.Text)
		ShowMemberPicker(v.win, T("Choose members"), people, protocol.MaxGroupMembers-1, func(users []string) {
			m := v.messenger
			background(func() error {
				_, err := m.CreateGroup(n, users)
				return err
			}, v.OnError)
		})
	}, v.win)
}
