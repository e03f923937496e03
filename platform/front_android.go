package platform

// raise does nothing on Android: an app may not put its activity over
// another, and the invite's notification is how a call reaches a person
// there.
func raise(any) {}
