package platform

/*
#cgo CFLAGS: -x objective-c
#cgo LDFLAGS: -framework AppKit

#import <AppKit/AppKit.h>
#include <stdint.h>

// activate brings the app to the front and makes w its key window;
// Fyne's RequestFocus does not activate an app that is in the background.
static void activate(uintptr_t w) {
	[NSApp activateIgnoringOtherApps:YES];
	[(NSWindow *)(void *)w makeKeyAndOrderFront:nil];
}
*/
import "C"

import "fyne.io/fyne/v2/driver"

func raise(ctx any) {
	if m, ok := ctx.(driver.MacWindowContext); ok && m.NSWindow != 0 {
		C.activate(C.uintptr_t(m.NSWindow))
	}
}
