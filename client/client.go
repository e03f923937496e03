// Package client is Parley's signaling connection: login, the websocket,
// reconnection with backoff, requests and their replies, and chat catch-up.
// The desktop app and parley-cli build on it; it knows nothing of UI or
// media.
//
// A Client owns one goroutine that keeps it connected, and each connection
// owns a reader and a writer; Close ends them all.
package client

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"parley/protocol"
)

// Client is a signed-in connection to a Parley server that reconnects by
// itself. Its methods are safe for concurrent use.
type Client struct {
	opts   Options
	log    *slog.Logger
	wsURL  string
	events chan Event
	chat   chatState
	ids    atomic.Uint64

	ctx       context.Context // the client's life; Close cancels it
	cancel    context.CancelFunc
	done      chan struct{} // closed when run has returned
	closeOnce sync.Once

	mu    sync.Mutex
	login *protocol.LoginReply
	sess  *session      // the connection, nil while there is none
	up    chan struct{} // closed while sess is set
	clock serverClock   // of the current or last connection
}

// Dial logs in, connects and says hello. ctx bounds only that; the client
// then lives, reconnecting as needed, until Close.
func Dial(ctx context.Context, opts Options) (*Client, error) {
	c, err := newClient(opts)
	if err != nil {
		return nil, err
	}
	if err := c.logIn(ctx); err != nil {
		c.cancel()
		return nil, err
	}
	s, err := c.connect(ctx)
	if err != nil {
		c.cancel()
		return nil, err
	}
	c.publish(s, EventConnected)
	go c.run(s)
	return c, nil
}

// newClient sets a client up without touching the network.
func newClient(opts Options) (*Client, error) {
	opts = opts.withDefaults()
	ws, err := websocketURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.Device == "" {
		opts.Device = rand.Text()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Client{
		opts:   opts,
		log:    opts.Logger.With("user", opts.User, "device", opts.Device),
		wsURL:  ws,
		events: make(chan Event, eventBuffer),
		chat:   newChatState(opts.Since),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
		up:     make(chan struct{}),
	}, nil
}

// Events delivers what the server sends (chat messages, presence, calls,
// group updates) and the connection's states, in order. Read it promptly:
// while it is full the client stops reading the connection. Close closes it.
func (c *Client) Events() <-chan Event { return c.events }

// Close disconnects for good and waits for the client's goroutines to end.
// It may be called more than once, and from any goroutine.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		c.cancel()
		<-c.done
		close(c.events)
	})
}

// User is the signed-in user.
func (c *Client) User() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.login.User
}

// Device is this client's device id, the same across reconnects.
func (c *Client) Device() string { return c.opts.Device }

// RootCAs are the authorities of Options.RootCAs, which a turns: server's
// certificate may be signed by too; nil: the system's.
func (c *Client) RootCAs() *x509.CertPool { return c.opts.RootCAs }

// ICEServers are the STUN and TURN servers handed out at the last login.
func (c *Client) ICEServers() []protocol.ICEServer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.login.ICEServers)
}

func (c *Client) nextID() string { return strconv.FormatUint(c.ids.Add(1), 10) }
