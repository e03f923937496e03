// Package protocol holds Parley's wire messages: the JSON envelope, every
// payload, and their validation. The server and the Go clients share it;
// docs/protocol.md describes the same messages for everyone else.
package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Version is the protocol version a client names in its hello. The server
// refuses any other.
const Version = 1

// MaxFrame is the largest websocket message either side accepts. SDP offers
// are the biggest messages (a few KB); chat text is capped far below this.
const MaxFrame = 64 << 10

// Envelope is every websocket message. A request carries an ID that its reply
// (type "reply" or "error") repeats; events from the server carry none.
type Envelope struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Reply types.
const (
	TypeReply = "reply"
	TypeError = "error"
)

// Error is the body of an error reply, and also a Go error.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Error codes.
const (
	CodeBadRequest   = "bad_request"  // malformed JSON or a field that fails validation
	CodeUnknownType  = "unknown_type" // a type this server does not know
	CodeUnauthorized = "unauthorized" // missing, expired or forged token; wrong password
	CodeForbidden    = "forbidden"    // authenticated, but not allowed to act on this
	CodeNotFound     = "not_found"    // no such user, conversation or call
	CodeConflict     = "conflict"     // the name is taken; the call is past that state
	CodeBusy         = "busy"         // the caller is already in a live call
	CodeRateLimited  = "rate_limited" // too many messages; slow down
	CodeTooLarge     = "too_large"    // a frame over MaxFrame
	CodeVersion      = "version"      // unsupported protocol version
	CodeNotReady     = "not_ready"    // a request before the hello
	CodeInternal     = "internal"     // the server failed; the request may be retried
	CodeRegistration = "registration_closed"
)

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// DecodeEnvelope parses one websocket frame. It checks the shape only; the
// payload is decoded by DecodePayload once the type is known.
func DecodeEnvelope(data []byte) (*Envelope, error) {
	if len(data) > MaxFrame {
		return nil, Errorf(CodeTooLarge, "frame of %d bytes is over the limit of %d", len(data), MaxFrame)
	}
	var env Envelope
	if err := strictUnmarshal(data, &env); err != nil {
		return nil, Errorf(CodeBadRequest, "malformed envelope: %v", err)
	}
	if env.Type == "" {
		return nil, Errorf(CodeBadRequest, "envelope has no type")
	}
	if len(env.Type) > 40 {
		return nil, Errorf(CodeBadRequest, "type is too long")
	}
	if len(env.ID) > 64 {
		return nil, Errorf(CodeBadRequest, "id is longer than 64 bytes")
	}
	return &env, nil
}

// Validator is implemented by every payload.
type Validator interface {
	Validate() error
}

// DecodePayload decodes raw into v and validates it. Decoding is strict
// (see strictUnmarshal): a typo in a client shows up as an error, not as
// silence, and no two different inputs pass as the same string.
func DecodePayload(raw json.RawMessage, v Validator) error {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	if err := strictUnmarshal(raw, v); err != nil {
		return Errorf(CodeBadRequest, "malformed payload: %v", err)
	}
	if err := v.Validate(); err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return pe
		}
		return Errorf(CodeBadRequest, "%v", err)
	}
	return nil
}

// Encode builds a frame of the given type. id is empty for events.
func Encode(typ, id string, payload any) ([]byte, error) {
	env := Envelope{Type: typ, ID: id}
	if payload != nil {
		raw, err := json.Marshal(payload)
		if err != nil {
			return nil, err
		}
		env.Payload = raw
	}
	return json.Marshal(env)
}

// EncodeError builds an error reply.
func EncodeError(id string, e *Error) []byte {
	b, _ := json.Marshal(Envelope{Type: TypeError, ID: id, Error: e})
	return b
}
