package client

import (
	"encoding/json"
	"fmt"
)

// Event is something the server, or the connection itself, tells the client.
type Event struct {
	// Type is a server event (protocol.TypeChatMessage, TypeCallIncoming,
	// TypeCallUpdate, …) or a connection state (EventConnected, …).
	Type string
	// Payload is the event's payload as the server sent it; a ConnState for
	// connection states.
	Payload json.RawMessage
}

// Connection states, delivered as events so that a UI can show them.
const (
	EventConnected    = "connected"    // the first connection is up
	EventDisconnected = "disconnected" // the connection dropped; the client is reconnecting
	EventReconnected  = "reconnected"  // up again; the chat messages missed meanwhile follow
	// EventCaughtUp follows every connection's catch-up: the chat missed
	// meanwhile has been delivered, and so has the server's restatement of
	// the user's live calls (it comes before any reply; protocol.md,
	// "Hello"). A call not restated since the connection came up is over.
	EventCaughtUp = "caught_up"
)

// ConnState is the payload of the connection-state events.
type ConnState struct {
	Error string `json:"error,omitempty"` // why the connection dropped
}

// eventBuffer is how many events wait for a slow reader before the client
// stops reading the connection (and the server eventually cuts it off).
const eventBuffer = 256

// Decode unmarshals the payload into v: a *protocol.Message for
// chat.message, a *protocol.CallUpdate for call.update, a *ConnState for a
// connection state, and so on.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("%s event: %w", e.Type, err)
	}
	return nil
}

func stateEvent(state string, cause error) Event {
	var s ConnState
	if cause != nil {
		s.Error = cause.Error()
	}
	raw, _ := json.Marshal(s) // a struct of one string always encodes
	return Event{Type: state, Payload: raw}
}

// emit hands ev to Events, waiting while the channel is full: a slow reader
// slows the connection down rather than losing events. Close ends the wait.
func (c *Client) emit(ev Event) {
	select {
	case c.events <- ev:
	case <-c.ctx.Done():
	}
}
