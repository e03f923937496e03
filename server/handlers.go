package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"parley/protocol"
	"parley/server/store"
)

// handler answers one request type with its reply payload. Handlers are
// the server's methods, called through method expressions.
type handler func(s *Server, ctx context.Context, c *conn, raw []byte) (any, error)

// decode is the common first step of every handler.
func decode[T any, P interface {
	*T
	protocol.Validator
}](raw []byte) (*T, error) {
	v := P(new(T))
	if err := protocol.DecodePayload(raw, v); err != nil {
		return nil, err
	}
	return (*T)(v), nil
}

var handlers = map[string]handler{
	protocol.TypeChatSend:      (*Server).chatSend,
	protocol.TypeChatHistory:   (*Server).chatHistory,
	protocol.TypeChatSync:      (*Server).chatSync,
	protocol.TypeConversations: (*Server).conversations,
	protocol.TypeGroupCreate:   (*Server).groupCreate,
	protocol.TypeGroupAdd:      (*Server).groupAdd,
	protocol.TypePresenceQuery: (*Server).presenceQuery,
	protocol.TypeCallInvite:    (*Server).callInvite,
}

// callOp answers a request about a live call, on the node that owns the
// call: the device's own node, or, in a cluster, another.
type callOp func(s *Server, ctx context.Context, user, device string, raw []byte) (any, error)

// callOps are the requests about a live call, each carrying its call_id.
var callOps = map[string]callOp{
	protocol.TypeCallAccept:      callRef((*Server).engineAccept),
	protocol.TypeCallCancel:      callRef((*Server).engineCancel),
	protocol.TypeCallHangup:      callRef((*Server).engineHangup),
	protocol.TypeCallJoin:        callRef((*Server).engineJoin),
	protocol.TypeCallSwitchAudio: callRef((*Server).engineSwitch),
	protocol.TypeCallDecline:     (*Server).callDecline,
	protocol.TypeCallAdd:         (*Server).callAdd,
	protocol.TypeCallMediaState:  (*Server).callMediaState,
	protocol.TypeCallSignal:      (*Server).callSignal,
	protocol.TypeMediaJoin:       (*Server).mediaJoin,
	protocol.TypeMediaSignal:     (*Server).mediaSignal,
}

func init() {
	for typ, op := range callOps {
		handlers[typ] = aboutCall(typ, op)
	}
}

// handle answers one frame. Errors go back to the sender only.
func (c *conn) handle(data []byte) {
	env, err := protocol.DecodeEnvelope(data)
	if err != nil {
		c.enqueue(protocol.EncodeError("", asProtocolError(err)))
		return
	}
	h := handlers[env.Type]
	if h == nil {
		c.enqueue(protocol.EncodeError(env.ID, protocol.Errorf(protocol.CodeUnknownType, "unknown message type %q", clip(env.Type))))
		return
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	reply, err := h(c.s, ctx, c, env.Payload)
	cancel()
	c.s.metrics.requests.WithLabelValues(env.Type).Observe(time.Since(start).Seconds())
	if err != nil {
		pe := asProtocolError(err)
		if pe.Code == protocol.CodeInternal {
			c.s.log.Error("request failed", "type", env.Type, "user", c.user, "err", err)
		}
		c.enqueue(protocol.EncodeError(env.ID, pe))
		return
	}
	frame, err := protocol.Encode(protocol.TypeReply, env.ID, reply)
	if err != nil {
		c.enqueue(protocol.EncodeError(env.ID, protocol.Errorf(protocol.CodeInternal, "encoding the reply failed")))
		return
	}
	c.enqueue(frame)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// members returns the members of conv if user is one of them. A direct
// conversation is created on first use when create is set.
func (s *Server) members(ctx context.Context, user, conv string, create bool) ([]string, bool, error) {
	pair, group, err := protocol.ParseConversation(conv)
	if err != nil {
		return nil, false, err
	}
	if group != "" {
		ms, err := s.store.Members(ctx, conv)
		if errors.Is(err, store.ErrNotFound) || (err == nil && len(ms) == 0) {
			return nil, true, protocol.Errorf(protocol.CodeNotFound, "no conversation %s", conv)
		}
		if err != nil {
			return nil, true, err
		}
		if !slices.Contains(ms, user) {
			return nil, true, protocol.Errorf(protocol.CodeForbidden, "you are not a member of %s", conv)
		}
		return ms, true, nil
	}
	if pair[0] != user && pair[1] != user {
		return nil, false, protocol.Errorf(protocol.CodeForbidden, "%s is not your conversation", conv)
	}
	other := pair[0]
	if other == user {
		other = pair[1]
	}
	if create {
		if err := s.requireUsers(ctx, []string{other}); err != nil {
			return nil, false, err
		}
		if _, err := s.store.EnsureDirect(ctx, pair[0], pair[1]); err != nil {
			return nil, false, err
		}
	}
	return pair[:], false, nil
}

func (s *Server) requireUsers(ctx context.Context, users []string) error {
	missing, err := s.store.MissingUsers(ctx, users)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return protocol.Errorf(protocol.CodeNotFound, "no such user: %s", strings.Join(missing, ", "))
	}
	return nil
}

func (s *Server) chatSend(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.ChatSend](raw)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.members(ctx, c.user, req.Conversation, true); err != nil {
		return nil, err
	}
	m, existed, err := s.store.AppendMessage(ctx, protocol.Message{Conversation: req.Conversation, ClientID: req.ClientID,
		From: c.user, Type: protocol.KindText, Text: req.Text, TimeMS: time.Now().UnixMilli()})
	if err != nil {
		return nil, err
	}
	if !existed {
		s.metrics.chatMessages.Inc()
		s.delivery.deliver(ctx, m, c.device)
	}
	return protocol.ChatSendReply{Message: m}, nil
}

func (s *Server) chatHistory(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.ChatHistory](raw)
	if err != nil {
		return nil, err
	}
	members, group, err := s.members(ctx, c.user, req.Conversation, false)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit == 0 {
		limit = protocol.DefaultHistoryPage
	}
	msgs, more, err := s.store.History(ctx, req.Conversation, req.Before, limit)
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 && !group {
		// A direct conversation nobody has used yet is empty, if the
		// other person exists.
		if err := s.requireUsers(ctx, members); err != nil {
			return nil, err
		}
	}
	return protocol.Messages{Messages: nonNil(msgs), More: more}, nil
}

func nonNil(m []protocol.Message) []protocol.Message {
	if m == nil {
		return []protocol.Message{}
	}
	return m
}

func (s *Server) chatSync(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.ChatSync](raw)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit == 0 {
		limit = 200
	}
	msgs, more, err := s.store.Since(ctx, c.user, req.After, limit)
	if err != nil {
		return nil, err
	}
	return protocol.Messages{Messages: nonNil(msgs), More: more}, nil
}

func (s *Server) conversations(ctx context.Context, c *conn, raw []byte) (any, error) {
	if _, err := decode[protocol.Empty](raw); err != nil {
		return nil, err
	}
	cs, err := s.store.Conversations(ctx, c.user)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []protocol.Conversation{}
	}
	return protocol.Conversations{Conversations: cs}, nil
}

func (s *Server) groupCreate(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.GroupCreate](raw)
	if err != nil {
		return nil, err
	}
	others := slices.DeleteFunc(slices.Clone(req.Members), func(u string) bool { return u == c.user })
	if err := s.requireUsers(ctx, others); err != nil {
		return nil, err
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	return s.groupUpdated(s.store.CreateGroup(ctx, hex.EncodeToString(b[:]), strings.TrimSpace(req.Name), c.user, others))
}

func (s *Server) groupAdd(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.GroupAdd](raw)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.members(ctx, c.user, req.Conversation, false); err != nil {
		return nil, err
	}
	if err := s.requireUsers(ctx, req.Members); err != nil {
		return nil, err
	}
	return s.groupUpdated(s.store.AddMembers(ctx, req.Conversation, req.Members))
}

// groupUpdated tells every member what the group conv is now, and is the
// reply to the change.
func (s *Server) groupUpdated(conv protocol.Conversation, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	reply := protocol.ConversationReply{Conversation: conv}
	s.devices.sendToUsers(conv.Members, protocol.TypeGroupUpdate, reply)
	return reply, nil
}

func (s *Server) presenceQuery(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.PresenceQuery](raw)
	if err != nil {
		return nil, err
	}
	out := protocol.PresenceReply{Users: make([]protocol.Presence, 0, len(req.Users))}
	for _, u := range req.Users {
		out.Users = append(out.Users, s.devices.presence(u))
	}
	return out, nil
}

func (s *Server) callInvite(ctx context.Context, c *conn, raw []byte) (any, error) {
	req, err := decode[protocol.CallInvite](raw)
	if err != nil {
		return nil, err
	}
	members, group, err := s.members(ctx, c.user, req.Conversation, true)
	if err != nil {
		return nil, err
	}
	invitees := req.Invitees
	if !group {
		other := members[0]
		if other == c.user {
			other = members[1]
		}
		if len(invitees) > 0 && (len(invitees) != 1 || invitees[0] != other) {
			return nil, protocol.Errorf(protocol.CodeBadRequest, "a direct call can only ring %s", other)
		}
		invitees = []string{other}
	} else {
		if len(invitees) == 0 {
			invitees = slices.DeleteFunc(slices.Clone(members), func(u string) bool { return u == c.user })
		}
		for _, u := range invitees {
			if u == c.user || !slices.Contains(members, u) {
				return nil, protocol.Errorf(protocol.CodeForbidden, "%s is not another member of this group", u)
			}
		}
		if len(invitees) > protocol.MaxCallSize-1 {
			return nil, protocol.Errorf(protocol.CodeBadRequest, "a call holds at most %d participants: choose up to %d to ring", protocol.MaxCallSize, protocol.MaxCallSize-1)
		}
	}
	// A call rings only once it is stored: a crash right after cannot leave a
	// call the next run knows nothing of, and a full disk refuses the call
	// instead of ringing one that will have no record.
	if !s.rec.healthy() {
		return nil, protocol.Errorf(protocol.CodeInternal, "the server cannot store calls right now; try again later")
	}
	call, err := s.calls.Invite(c.user, c.device, *req, invitees, members, group)
	if err != nil {
		return nil, err
	}
	if err := s.rec.awaitPlaced(ctx, call.ID); err != nil {
		s.calls.Abandon(call.ID)
		s.log.Error("storing a new call failed; invite refused", "call", call.ID, "err", err)
		return nil, protocol.Errorf(protocol.CodeInternal, "the server could not store the call; try again later")
	}
	call, err = s.calls.Ring(call.ID)
	if err != nil {
		return nil, err
	}
	return protocol.CallReply{Call: call}, nil
}

type engineOp func(s *Server, user, device, id string) (protocol.Call, error)

func (s *Server) engineAccept(user, device, id string) (protocol.Call, error) {
	return s.calls.Accept(user, device, id)
}
func (s *Server) engineCancel(user, device, id string) (protocol.Call, error) {
	return s.calls.Cancel(user, device, id)
}
func (s *Server) engineHangup(user, device, id string) (protocol.Call, error) {
	return s.calls.Hangup(user, device, id)
}
func (s *Server) engineJoin(user, device, id string) (protocol.Call, error) {
	return s.calls.Join(user, device, id)
}
func (s *Server) engineSwitch(user, device, id string) (protocol.Call, error) {
	return s.calls.SwitchToAudio(user, device, id)
}

// callRef adapts the engine's operations on a call id to a callOp.
func callRef(op engineOp) callOp {
	return func(s *Server, ctx context.Context, user, device string, raw []byte) (any, error) {
		req, err := decode[protocol.CallRef](raw)
		if err != nil {
			return nil, err
		}
		return callReply(op(s, user, device, req.CallID))
	}
}

func callReply(call protocol.Call, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return protocol.CallReply{Call: call}, nil
}

func (s *Server) callDecline(ctx context.Context, user, device string, raw []byte) (any, error) {
	req, err := decode[protocol.CallDecline](raw)
	if err != nil {
		return nil, err
	}
	return callReply(s.calls.Decline(user, device, req.CallID, req.Reason))
}

func (s *Server) callAdd(ctx context.Context, user, device string, raw []byte) (any, error) {
	req, err := decode[protocol.CallAdd](raw)
	if err != nil {
		return nil, err
	}
	return callReply(s.calls.Add(user, device, req.CallID, req.Invitees))
}

func (s *Server) callMediaState(ctx context.Context, user, device string, raw []byte) (any, error) {
	req, err := decode[protocol.CallMediaState](raw)
	if err != nil {
		return nil, err
	}
	return callReply(s.calls.MediaState(user, device, *req))
}

func (s *Server) callSignal(ctx context.Context, user, device string, raw []byte) (any, error) {
	req, err := decode[protocol.CallSignal](raw)
	if err != nil {
		return nil, err
	}
	if err := s.calls.Signal(user, device, *req); err != nil {
		return nil, err
	}
	return protocol.Empty{}, nil
}

func (s *Server) mediaJoin(ctx context.Context, user, device string, raw []byte) (any, error) {
	req, err := decode[protocol.CallRef](raw)
	if err != nil {
		return nil, err
	}
	if err := s.media.join(user, device, req.CallID); err != nil {
		return nil, err
	}
	return protocol.Empty{}, nil
}

func (s *Server) mediaSignal(ctx context.Context, user, device string, raw []byte) (any, error) {
	req, err := decode[protocol.MediaSignal](raw)
	if err != nil {
		return nil, err
	}
	if err := s.media.signal(user, device, *req); err != nil {
		return nil, err
	}
	return protocol.Empty{}, nil
}
