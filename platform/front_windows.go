package platform

import (
	"unsafe"

	"fyne.io/fyne/v2/driver"
	"golang.org/x/sys/windows"
)

var (
	user32            = windows.NewLazySystemDLL("user32.dll")
	procSetForeground = user32.NewProc("SetForegroundWindow")
	procShowWindow    = user32.NewProc("ShowWindow")
	procIsIconic      = user32.NewProc("IsIconic")
	procFlashWindowEx = user32.NewProc("FlashWindowEx")
)

const (
	swRestore       = 9
	flashwAll       = 0x3 // caption and taskbar button
	flashwTimerNoFG = 0xc // until the window comes to the foreground
)

type flashInfo struct {
	size    uint32
	hwnd    uintptr
	flags   uint32
	count   uint32
	timeout uint32
}

// raise restores a minimised window and asks for the foreground. Windows
// refuses SetForegroundWindow to a process that is not in the foreground,
// and then the taskbar button flashes until the person looks, which is
// the system's own way to say "a call is waiting".
func raise(ctx any) {
	w, ok := ctx.(driver.WindowsWindowContext)
	if !ok || w.HWND == 0 {
		return
	}
	if iconic, _, _ := procIsIconic.Call(w.HWND); iconic != 0 {
		procShowWindow.Call(w.HWND, swRestore)
	}
	if ok, _, _ := procSetForeground.Call(w.HWND); ok != 0 {
		return
	}
	fi := flashInfo{hwnd: w.HWND, flags: flashwAll | flashwTimerNoFG}
	fi.size = uint32(unsafe.Sizeof(fi))
	procFlashWindowEx.Call(uintptr(unsafe.Pointer(&fi)))
}
