package views

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// MemberPicker is the dialog that picks people: members of a group call,
// or of a new group. At most Max may be picked (0: no limit).
type MemberPicker struct {
	Max    int
	checks map[string]*keyedCheck
	order  []string
	count  *widget.Label
	dlg    dialog.Dialog
	onPick func([]string)
}

// ShowMemberPicker shows the picker over win, the first person focused
// (Space checks, Enter confirms, Escape cancels); onPick gets the people
// picked when the person confirms.
func ShowMemberPicker(win fyne.Window, title string, people []string, max int, onPick func([]string)) *MemberPicker {
	p := &MemberPicker{Max: max, checks: map[string]*keyedCheck{}, order: people, onPick: onPick,
		count: widget.NewLabel("")}
	box := container.NewVBox()
	keys := dialogKeys{submit: p.Confirm, cancel: func() { p.dlg.Hide() }}
	for _, u := range people {
		chk := newKeyedCheck(u, func(bool) { p.update() })
		chk.keys = keys
		p.checks[u] = chk
		box.Add(container.NewHBox(Avatar(u, 24), chk))
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(260, 220))
	p.update()
	p.dlg = dialog.NewCustomConfirm(title, T("OK"), T("Cancel"), container.NewBorder(p.count, nil, nil, nil, scroll),
		func(ok bool) {
			if ok {
				p.Confirm()
			}
		}, win)
	p.dlg.Show()
	if len(people) > 0 {
		win.Canvas().Focus(p.checks[people[0]])
	}
	return p
}

// Picked are the people checked, in the order shown.
func (p *MemberPicker) Picked() []string {
	var out []string
	for _, u := range p.order {
		if p.checks[u].Checked {
			out = append(out, u)
		}
	}
	return out
}

// Toggle checks or unchecks a person, as a tap does.
func (p *MemberPicker) Toggle(user string) {
	if c := p.checks[user]; c != nil && !c.Disabled() {
		c.SetChecked(!c.Checked)
	}
}

// Confirm hands the picked people over, as OK does.
func (p *MemberPicker) Confirm() {
	picked := p.Picked()
	p.dlg.Hide()
	if len(picked) > 0 && p.onPick != nil {
		p.onPick(picked)
	}
}

// update disables the unchecked boxes once Max are picked.
func (p *MemberPicker) update() {
	n := len(p.Picked())
	full := p.Max > 0 && n >= p.Max
	for _, u := range p.order {
		c := p.checks[u]
		if !c.Checked && full {
			c.Disable()
		} else {
			c.Enable()
		}
	}
	if p.Max > 0 {
		p.count.SetText(fmt.Sprintf("%d / %d", n, p.Max))
	} else {
		p.count.SetText(fmt.Sprintf("%d", n))
	}
}

// others is members without me.
func others(members []string, me string) []string {
	return slices.DeleteFunc(slices.Clone(members), func(u string) bool { return u == me })
}
