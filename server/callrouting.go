package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"parley/protocol"
	"parley/server/cluster"
)

// aboutCall makes the handler of a request about a live call: op answers
// it here, unless the call's id names another node of the cluster, which
// then answers it (answerCall).
func aboutCall(typ string, op callOp) handler {
	return func(s *Server, ctx context.Context, c *conn, raw []byte) (any, error) {
		if s.nodes != nil {
			if owner := cluster.CallOwner(callIDOf(raw)); owner != "" && owner != s.nodes.ID() {
				return s.forwardCall(ctx, owner, typ, c.user, c.device, raw)
			}
		}
		return op(s, ctx, c.user, c.device, raw)
	}
}

// callIDOf is the call_id of a request's payload; "" when it has none, and
// op then refuses the request as it would on one node.
func callIDOf(raw []byte) string {
	var ref struct {
		CallID string `json:"call_id"`
	}
	_ = json.Unmarshal(raw, &ref)
	return ref.CallID
}

// forwardCall has owner answer a device's request about one of its calls,
// and returns its answer as this node's reply.
func (s *Server) forwardCall(ctx context.Context, owner, typ, user, device string, raw []byte) (any, error) {
	r, err := s.nodes.Call(ctx, owner, typ, user, device, raw)
	switch {
	case errors.Is(err, cluster.ErrOwnerGone):
		return nil, protocol.Errorf(protocol.CodeNotFound, "no live call %s: its server is not running", callIDOf(raw))
	case err != nil:
		s.log.Warn("forwarding a call request failed", "type", typ, "owner", owner, "err", err)
		return nil, protocol.Errorf(protocol.CodeInternal, "the server that holds the call did not answer; try again")
	case r.Code != "":
		return nil, &protocol.Error{Code: r.Code, Message: string(r.Body)}
	}
	return json.RawMessage(r.Body), nil
}

// answerCall answers, as the owner of the call, the request of a device on
// another node.
func (s *Server) answerCall(typ, user, device string, raw []byte) cluster.CallReply {
	op := callOps[typ]
	if op == nil {
		return cluster.CallReply{Code: protocol.CodeUnknownType, Body: []byte("not a request about a call: " + clip(typ))}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reply, err := op(s, ctx, user, device, raw)
	if err == nil {
		var body []byte
		if body, err = json.Marshal(reply); err == nil {
			return cluster.CallReply{Body: body}
		}
	}
	pe := asProtocolError(err)
	if pe.Code == protocol.CodeInternal {
		s.log.Error("request from another node failed", "type", typ, "user", user, "err", err)
	}
	return cluster.CallReply{Code: pe.Code, Body: []byte(pe.Message)}
}
