package protocol

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// docExample is one ```json block of docs/protocol.md.
type docExample struct {
	line    int    // of the opening fence
	heading string // the section it is in
	text    string // without the fences and the final newline
}

// docExamples reads the JSON examples of the markdown file at path.
func docExamples(t *testing.T, path string) []docExample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		examples []docExample
		heading  string
		open     *docExample
		lines    []string
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case open != nil && line == "```":
			open.text = strings.Join(lines, "\n")
			examples = append(examples, *open)
			open, lines = nil, nil
		case open != nil:
			lines = append(lines, line)
		case line == "```json":
			open = &docExample{line: n, heading: heading}
		case strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if open != nil {
		t.Fatalf("%s:%d: the json block is not closed", path, open.line)
	}
	return examples
}

// replies names the reply payload of each request type.
var replies = map[string]func() any{
	TypeHello:           func() any { return &Welcome{} },
	TypeChatSend:        func() any { return &ChatSendReply{} },
	TypeChatHistory:     func() any { return &Messages{} },
	TypeChatSync:        func() any { return &Messages{} },
	TypeConversations:   func() any { return &Conversations{} },
	TypeGroupCreate:     func() any { return &ConversationReply{} },
	TypeGroupAdd:        func() any { return &ConversationReply{} },
	TypePresenceQuery:   func() any { return &PresenceReply{} },
	TypeCallInvite:      func() any { return &CallReply{} },
	TypeCallAccept:      func() any { return &CallReply{} },
	TypeCallDecline:     func() any { return &CallReply{} },
	TypeCallCancel:      func() any { return &CallReply{} },
	TypeCallHangup:      func() any { return &CallReply{} },
	TypeCallJoin:        func() any { return &CallReply{} },
	TypeCallAdd:         func() any { return &CallReply{} },
	TypeCallMediaState:  func() any { return &CallReply{} },
	TypeCallSwitchAudio: func() any { return &CallReply{} },
	TypeCallSignal:      func() any { return &Empty{} },
	TypeMediaJoin:       func() any { return &Empty{} },
	TypeMediaSignal:     func() any { return &Empty{} },
}

// events names the payload of each event type.
var events = map[string]func() any{
	TypeChatMessage:  func() any { return &Message{} },
	TypePresence:     func() any { return &Presence{} },
	TypeGroupUpdate:  func() any { return &ConversationReply{} },
	TypeCallIncoming: func() any { return &CallIncoming{} },
	TypeCallUpdate:   func() any { return &CallUpdate{} },
	TypeCallSignal:   func() any { return &CallSignal{} },
	TypeMediaSignal:  func() any { return &MediaSignal{} },
	TypeCallSpeaking: func() any { return &CallSpeaking{} },
}

// bodies names, per section, the payloads of the examples that are not
// websocket messages, in the order they appear.
var bodies = map[string][]func() any{
	"POST /api/register": {func() any { return &Credentials{} }},
	"POST /api/login":    {func() any { return &Credentials{} }, func() any { return &LoginReply{} }},
	"Error bodies":       {func() any { return &ErrorReply{} }},
	"The call object":    {func() any { return &Call{} }},
}

// TestProtocolDocExamples holds docs/protocol.md to its word that its JSON
// examples are what the Go code produces, byte for byte: each is decoded
// into the type the code uses for it, the way the server decodes it, and
// encoded again as the code encodes it.
func TestProtocolDocExamples(t *testing.T) {
	examples := docExamples(t, "../docs/protocol.md")
	if len(examples) == 0 {
		t.Fatal("no examples found")
	}
	requestTypes := map[string]string{} // request id → type, for the reply that follows
	bodiesSeen := map[string]int{}
	for _, ex := range examples {
		t.Run(fmt.Sprintf("line %d", ex.line), func(t *testing.T) {
			data := []byte(ex.text)
			indented := strings.Contains(ex.text, "\n")
			if indented {
				var compact bytes.Buffer
				if err := json.Compact(&compact, data); err != nil {
					t.Fatalf("%s: %v", ex.heading, err)
				}
				data = compact.Bytes()
			}
			var got []byte
			var err error
			if bytes.HasPrefix(data, []byte(`{"type":`)) {
				got, err = reencodeMessage(data, requestTypes)
			} else {
				got, err = reencodeBody(data, ex.heading, bodiesSeen)
			}
			if err != nil {
				t.Fatalf("%s: %v\n%s", ex.heading, err, ex.text)
			}
			if indented {
				var b bytes.Buffer
				if err := json.Indent(&b, got, "", "  "); err != nil {
					t.Fatal(err)
				}
				got = b.Bytes()
			}
			if string(got) != ex.text {
				t.Errorf("%s: the code produces\n%s\nthe doc shows\n%s", ex.heading, got, ex.text)
			}
		})
	}
	for heading, mks := range bodies {
		if bodiesSeen[heading] != len(mks) {
			t.Errorf("section %q has %d body examples; the test expects %d", heading, bodiesSeen[heading], len(mks))
		}
	}
}

// reencodeMessage decodes a websocket message by its type and encodes it
// again. A request records its id in requestTypes, so that the reply that
// repeats the id is decoded as that request's reply.
func reencodeMessage(data []byte, requestTypes map[string]string) ([]byte, error) {
	env, err := DecodeEnvelope(data)
	if err != nil {
		return nil, err
	}
	if env.Type == TypeError {
		if env.Error == nil || len(env.Payload) != 0 {
			return nil, fmt.Errorf("an error reply needs an error and no payload")
		}
		return EncodeError(env.ID, env.Error), nil
	}
	var payload any
	switch {
	case env.Type == TypeReply:
		mk := replies[requestTypes[env.ID]]
		if mk == nil {
			return nil, fmt.Errorf("reply %q follows no request example with that id", env.ID)
		}
		payload = mk()
		err = strictUnmarshal(env.Payload, payload)
	case env.ID == "" && events[env.Type] != nil:
		payload = events[env.Type]()
		err = strictUnmarshal(env.Payload, payload)
	case requests[env.Type] != nil:
		requestTypes[env.ID] = env.Type
		v := requests[env.Type]()
		payload, err = v, DecodePayload(env.Payload, v)
	default:
		return nil, fmt.Errorf("no Go type for a %q message (id %q)", env.Type, env.ID)
	}
	if err != nil {
		return nil, err
	}
	if len(env.Payload) == 0 {
		payload = nil // a request without a payload is sent without one
	}
	return Encode(env.Type, env.ID, payload)
}

// reencodeBody decodes an HTTP body, or the call object, by the section it
// is shown in, and encodes it again.
func reencodeBody(data []byte, heading string, seen map[string]int) ([]byte, error) {
	mks := bodies[heading]
	n := seen[heading]
	seen[heading]++
	if n >= len(mks) {
		return nil, fmt.Errorf("no Go type for example %d of this section", n+1)
	}
	v := mks[n]()
	var err error
	if received, ok := v.(Validator); ok { // a body the server reads
		err = DecodePayload(data, received)
	} else {
		err = strictUnmarshal(data, v)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
