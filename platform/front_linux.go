//go:build !android

package platform

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>

// activate asks the window manager to activate w (EWMH
// _NET_ACTIVE_WINDOW). Source indication 2 ("pager") is what window
// managers obey despite focus-stealing prevention; an incoming call is
// the case that prevention should not stop.
static int activate(unsigned long w) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return 0;
	Window root = DefaultRootWindow(d);
	XEvent e = {0};
	e.xclient.type = ClientMessage;
	e.xclient.serial = 0;
	e.xclient.send_event = True;
	e.xclient.window = (Window)w;
	e.xclient.message_type = XInternAtom(d, "_NET_ACTIVE_WINDOW", False);
	e.xclient.format = 32;
	e.xclient.data.l[0] = 2;
	e.xclient.data.l[1] = CurrentTime;
	XMapRaised(d, (Window)w);
	XSendEvent(d, root, False, SubstructureRedirectMask | SubstructureNotifyMask, &e);
	XFlush(d);
	XCloseDisplay(d);
	return 1;
}
*/
import "C"

import "fyne.io/fyne/v2/driver"

// raise sends _NET_ACTIVE_WINDOW on its own display connection: Fyne does
// not hand out its own, and one short-lived connection per invite costs
// nothing that matters.
func raise(ctx any) {
	if x, ok := ctx.(driver.X11WindowContext); ok && x.WindowHandle != 0 {
		C.activate(C.ulong(x.WindowHandle))
	}
}
