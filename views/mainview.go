package views

import (
	"image/color"

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
	// followingOpen is set while the list's selection moves to the open
	// conversation's row, which opens nothing.
	followingOpen bool
}

// NewMainView builds the main window's content.
func NewMainView(win fyne.Window, me string, d Dialer, m Messenger, entries CallEntries) *MainView {
	v := &MainView{Me: me, win: win, dialer: d, messenger: m, entries: entries, Conn: widget.NewLabel("")}
	v.OnError = func(err error) { dialog.ShowError(err, win) }
	v.ConvList = widget.NewList(func() int { return len(v.Convs) }, newConvRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(v.Convs) {
			o.(*ConvRow).set(v.Convs[i])
		}
	})
	v.ConvList.OnSelected = func(i widget.ListItemID) {
		if i < len(v.Convs) && !v.followingOpen {
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
	v.HistoryList = widget.NewList(func() int { return len(v.History) }, newHistoryRow, func(i widget.ListItemID, o fyne.CanvasObject) {
		if i < len(v.History) {
			o.(*HistoryRow).set(v.History[i], me)
		}
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
	v.installShortcuts()
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

// SetConversations shows the conversation list; the open chat follows its
// conversation's changes.
func (v *MainView) SetConversations(convs []Conversation) {
	v.Convs = convs
	v.ConvList.Refresh()
	v.selectOpen()
	if v.Chat != nil {
		for _, c := range convs {
			if c.ID == v.Chat.Conv.ID {
				v.Chat.Conv.Members = c.Members
				v.Chat.SetOnline(c.Online)
			}
		}
	}
}

// selectOpen highlights the open conversation's row, found by its id:
// the list selects by index, and the rows move as messages come.
func (v *MainView) selectOpen() {
	v.followingOpen = true
	defer func() { v.followingOpen = false }()
	if v.Chat != nil {
		for i, c := range v.Convs {
			if c.ID == v.Chat.Conv.ID {
				v.ConvList.Select(i)
				return
			}
		}
	}
	v.ConvList.UnselectAll()
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
		v.selectOpen()
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
	ShowNameDialog(v.win, T("New group"), T("Name"), T("Group name"), T("Next"), func(name string) {
		ShowMemberPicker(v.win, T("Choose members"), people, protocol.MaxGroupMembers-1, func(users []string) {
			m := v.messenger
			background(func() error {
				_, err := m.CreateGroup(name, users)
				return err
			}, v.OnError)
		})
	})
}
