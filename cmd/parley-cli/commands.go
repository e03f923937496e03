package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"parley/client"
	"parley/protocol"
)

// command is a parsed command, ready to run.
type command interface {
	run(ctx context.Context, e *env) error
}

// env is what commands run with.
type env struct {
	inv *invocation
	out *printer
	log *slog.Logger
}

// testMedia reports whether PARLEY_TEST_MEDIA=1 asks for generated test
// sources instead of the camera and microphone.
func (e *env) testMedia() bool { return e.inv.getenv("PARLEY_TEST_MEDIA") == "1" }

// oneShot bounds the commands that make a request or two.
const oneShot = 30 * time.Second

func (e *env) dial(ctx context.Context) (*client.Client, error) {
	return client.Dial(ctx, e.options())
}

func (e *env) options() client.Options {
	return client.Options{BaseURL: e.inv.server, User: e.inv.user, Password: e.inv.password, RootCAs: e.inv.roots, Logger: e.log}
}

// oneShot runs do on a fresh connection, within oneShot, for commands
// that make a request or two and read no events.
func (e *env) oneShot(ctx context.Context, do func(context.Context, *client.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, oneShot)
	defer cancel()
	cl, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	ignoreEvents(cl)
	return do(ctx, cl)
}

// ignoreEvents reads the events of a client that has no use for them, so
// that they cannot fill up and stall its connection. It ends with Close.
func ignoreEvents(cl *client.Client) {
	go func() {
		for range cl.Events() {
		}
	}()
}

// exactly checks the number of positional arguments.
func exactly(pos []string, n int, what string) error {
	if len(pos) != n {
		return fmt.Errorf("takes %s", what)
	}
	return nil
}

type registerCmd struct{}

func parseRegister(me string, args []string) (command, error) {
	pos, err := parseArgs(newFlagSet("register"), args)
	if err != nil {
		return nil, err
	}
	return registerCmd{}, exactly(pos, 0, "no arguments")
}

func (registerCmd) run(ctx context.Context, e *env) error {
	ctx, cancel := context.WithTimeout(ctx, oneShot)
	defer cancel()
	return e.options().Register(ctx)
}

type groupCreateCmd struct {
	name    string
	members []string
}

func parseGroup(me string, args []string) (command, error) {
	pos, err := parseArgs(newFlagSet("group"), args)
	if err != nil {
		return nil, err
	}
	if len(pos) < 3 || pos[0] != "create" {
		return nil, errors.New("takes create NAME USER...")
	}
	c := &groupCreateCmd{name: pos[1], members: pos[2:]}
	return c, (&protocol.GroupCreate{Name: c.name, Members: c.members}).Validate()
}

func (c *groupCreateCmd) run(ctx context.Context, e *env) error {
	return e.oneShot(ctx, func(ctx context.Context, cl *client.Client) error {
		var r protocol.ConversationReply
		if err := cl.Request(ctx, protocol.TypeGroupCreate, &protocol.GroupCreate{Name: c.name, Members: c.members}, &r); err != nil {
			return fmt.Errorf("group.create: %w", err)
		}
		_, id, err := protocol.ParseConversation(r.Conversation.ID)
		if err != nil || id == "" {
			return fmt.Errorf("group.create: the server answered with conversation %q", r.Conversation.ID)
		}
		e.out.text(id)
		return nil
	})
}

type sendCmd struct{ conv, text string }

func parseSend(me string, args []string) (command, error) {
	pos, err := parseArgs(newFlagSet("send"), args)
	if err != nil {
		return nil, err
	}
	if len(pos) < 2 || strings.TrimSpace(strings.Join(pos[1:], "")) == "" {
		return nil, errors.New("takes PEER TEXT")
	}
	conv, err := conversationOf(me, pos[0])
	// Unquoted words make one text, as echo would.
	return &sendCmd{conv: conv, text: strings.Join(pos[1:], " ")}, err
}

func (c *sendCmd) run(ctx context.Context, e *env) error {
	return e.oneShot(ctx, func(ctx context.Context, cl *client.Client) error {
		m, err := cl.SendText(ctx, c.conv, c.text)
		if err != nil {
			return fmt.Errorf("chat.send: %w", err)
		}
		e.out.json(m)
		return nil
	})
}

type historyCmd struct {
	conv  string
	limit int
}

func parseHistory(me string, args []string) (command, error) {
	fs := newFlagSet("history")
	c := &historyCmd{}
	fs.IntVar(&c.limit, "limit", protocol.DefaultHistoryPage, "")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	if err := exactly(pos, 1, "PEER"); err != nil {
		return nil, err
	}
	if c.limit < 1 {
		return nil, errors.New("--limit must be at least 1")
	}
	c.conv, err = conversationOf(me, pos[0])
	return c, err
}

func (c *historyCmd) run(ctx context.Context, e *env) error {
	return e.oneShot(ctx, func(ctx context.Context, cl *client.Client) error {
		msgs, err := history(ctx, cl, c.conv, c.limit)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			e.out.json(m)
		}
		return nil
	})
}

// history returns the newest n messages of conv, oldest first, in as many
// pages as the server's page limit needs.
func history(ctx context.Context, cl *client.Client, conv string, n int) ([]protocol.Message, error) {
	var all []protocol.Message
	var before int64
	for len(all) < n {
		var page protocol.Messages
		q := &protocol.ChatHistory{Conversation: conv, Before: before, Limit: min(n-len(all), protocol.MaxHistoryPage)}
		if err := cl.Request(ctx, protocol.TypeChatHistory, q, &page); err != nil {
			return nil, fmt.Errorf("chat.history: %w", err)
		}
		all = append(page.Messages, all...)
		if !page.More || len(page.Messages) == 0 {
			break
		}
		before = page.Messages[0].Seq
	}
	return all, nil
}
