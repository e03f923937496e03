package client

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"parley/protocol"
)

var (
	// ErrDisconnected is returned, wrapped, by requests made while the
	// client is reconnecting or whose connection dropped before the reply.
	ErrDisconnected = errors.New("not connected to the server (reconnecting)")
	// ErrClosed is returned, wrapped, by requests made after Close.
	ErrClosed = errors.New("client closed")
)

// Request sends a request of type typ (a protocol.Type* constant) and
// decodes its reply into reply, which may be nil. An error reply comes back
// as a *protocol.Error, as does a payload that fails its own validation. A
// request fails at once while the client is disconnected, and after the
// client's RequestTimeout if no reply comes.
func (c *Client) Request(ctx context.Context, typ string, payload, reply any) error {
	id := c.nextID()
	frame, err := encodeRequest(typ, id, payload)
	if err != nil {
		return err
	}
	s := c.session()
	if s == nil {
		return fmt.Errorf("%s: %w", typ, c.unavailable())
	}
	ch := s.expect(id)
	defer s.forget(id)
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.RequestTimeout,
		fmt.Errorf("no reply within %v: %w", c.opts.RequestTimeout, context.DeadlineExceeded))
	defer cancel()
	select {
	case s.out <- frame:
	case <-s.done:
		return fmt.Errorf("%s: %w", typ, c.unavailable())
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", typ, context.Cause(ctx))
	}
	select {
	case env := <-ch:
		return decodeReply(env, reply)
	case <-s.done:
		select {
		case env := <-ch: // the reply came with the connection's last breath
			return decodeReply(env, reply)
		default:
			return fmt.Errorf("%s: connection lost before the reply: %w", typ, c.unavailable())
		}
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", typ, context.Cause(ctx))
	}
}

// encodeRequest checks payload, when it can check itself, and frames it.
func encodeRequest(typ, id string, payload any) ([]byte, error) {
	if v, ok := payload.(protocol.Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	frame, err := protocol.Encode(typ, id, payload)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", typ, err)
	}
	if len(frame) > protocol.MaxFrame {
		return nil, protocol.Errorf(protocol.CodeTooLarge, "%s of %d bytes is over the limit of %d", typ, len(frame), protocol.MaxFrame)
	}
	return frame, nil
}

func (c *Client) session() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess
}

// unavailable says why there is no connection.
func (c *Client) unavailable() error {
	if c.ctx.Err() != nil {
		return ErrClosed
	}
	return ErrDisconnected
}

// waitConnected returns once the client is connected, or when ctx ends or
// the client closes.
func (c *Client) waitConnected(ctx context.Context) error {
	c.mu.Lock()
	up := c.up
	c.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return ErrClosed
	}
}

// SendText sends a text message to conversation conv and returns it as the
// server stored it. It keeps trying, across reconnects, until ctx ends; all
// tries carry the same client_id, so the server stores the message once
// however many of them reached it. An error reply is final.
func (c *Client) SendText(ctx context.Context, conv, text string) (protocol.Message, error) {
	req := protocol.ChatSend{Conversation: conv, ClientID: rand.Text(), Text: text}
	for {
		var r protocol.ChatSendReply
		err := c.Request(ctx, protocol.TypeChatSend, &req, &r)
		var pe *protocol.Error
		switch {
		case err == nil:
			c.chat.own(r.Message)
			return r.Message, nil
		case errors.As(err, &pe), errors.Is(err, ErrClosed), ctx.Err() != nil:
			return protocol.Message{}, err
		}
		c.log.Info("chat.send will be retried", "client_id", req.ClientID, "err", err)
		if err := c.waitConnected(ctx); err != nil {
			return protocol.Message{}, err
		}
	}
}
