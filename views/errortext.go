package views

import (
	"errors"

	"parley/media"
)

// errorText is how a call screen words an error the call survives: a
// sentence in the person's language for a missing device, the error's own
// message otherwise.
func errorText(err error) string {
	switch {
	case errors.Is(err, media.ErrNoMicrophone):
		return T("No microphone found: the others cannot hear you")
	case errors.Is(err, media.ErrNoCamera):
		return T("No camera found: the others cannot see you")
	}
	return err.Error()
}
