// Package server is parley-server: accounts, presence, chat, and the
// signaling of calls, on one HTTP listener. The pieces with a job of their own
// live in sub-packages (auth, calls, push, store); this package wires them to
// websocket connections.
package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"parley/protocol"
	"parley/server/auth"
	"parley/server/calls"
	"parley/server/cluster"
	"parley/server/push"
	"parley/server/store"
)

// Store is what the server keeps on disk. server/store implements it on
// SQLite; another database can take its place without touching the rest of
// the server.
type Store interface {
	CreateUser(ctx context.Context, name string, passwordHash []byte) error
	User(ctx context.Context, name string) (store.User, error)
	MissingUsers(ctx context.Context, names []string) ([]string, error)
	Secret(ctx context.Context) ([]byte, error)

	EnsureDirect(ctx context.Context, a, b string) (string, error)
	CreateGroup(ctx context.Context, id, name, creator string, members []string) (protocol.Conversation, error)
	AddMembers(ctx context.Context, conv string, members []string) (protocol.Conversation, error)
	Conversation(ctx context.Context, conv string) (protocol.Conversation, error)
	IsMember(ctx context.Context, conv, user string) (bool, error)
	Members(ctx context.Context, conv string) ([]string, error)
	Conversations(ctx context.Context, user string) ([]protocol.Conversation, error)
	Contacts(ctx context.Context, user string) ([]string, error)

	AppendMessage(ctx context.Context, m protocol.Message) (protocol.Message, bool, error)
	History(ctx context.Context, conv string, before int64, limit int) ([]protocol.Message, bool, error)
	Since(ctx context.Context, user string, after map[string]int64, limit int) ([]protocol.Message, bool, error)

	CallStarted(ctx context.Context, c store.CallRow) error
	CallAnswered(ctx context.Context, id string, startedMS int64) error
	CallEnded(ctx context.Context, id, outcome string, endedMS int64) error
	UnfinishedCalls(ctx context.Context) ([]store.CallRow, error)

	RenewLease(ctx context.Context, node string, untilMS int64) error
	LiveNodes(ctx context.Context, nowMS int64) ([]string, error)
	DropLeases(ctx context.Context, nowMS int64) error

	Close() error
}

// Config is the server's configuration; zero values are conservative defaults.
type Config struct {
	// DataDir holds the SQLite database, unless DB names a PostgreSQL
	// one (a postgres:// URL).
	DataDir        string
	DB             string
	InviteTimeout  time.Duration // default 30s
	ReconnectGrace time.Duration // default 10s
	AllowRegister  bool
	TokenTTL       time.Duration // default 24h
	PushWebhook    string
	// TURNAddr is the UDP address of the STUN/TURN service, TURNTCPAddr
	// the TCP address of TURN over TCP, and TURNTLSAddr that of TURN over
	// TLS with TURNTLS, the configuration HTTPS serves with (port 0: any
	// free port). Empty runs none of that kind, and all three empty no
	// STUN/TURN at all. TURNTLSName is the host name turns: URLs give,
	// one the certificate covers (empty: the public IP). PublicIP is the
	// address clients reach the service at, when it is not the listen
	// address.
	TURNAddr, TURNTCPAddr, TURNTLSAddr string
	TURNTLS                            *tls.Config
	TURNTLSName                        string
	PublicIP                           string
	// TURNAllowPeers are ranges the TURN relays may send to although they
	// are refused by default: private, loopback, link-local and the host's
	// own addresses (see server/turn).
	TURNAllowPeers []netip.Prefix
	// MediaIP is the address the SFU's media ports listen on (empty: every
	// interface); MediaPort is its one UDP port and MediaTCPPort its one
	// ICE-TCP port (0: any free port). Clients behind a NAT that cannot
	// reach them directly reach them through TURN. PublicIP, when set, is
	// also the address the SFU's candidates announce.
	MediaIP                 string
	MediaPort, MediaTCPPort int
	// SendQueue is how many frames may wait for a client before it is cut
	// off as too slow; default 8×Burst, so that the replies to a whole
	// burst of its own and the bursts of several peers fit. WriteTimeout
	// is how long one frame may take to go out; default 10s.
	SendQueue    int
	WriteTimeout time.Duration
	// MaxDevices bounds the devices one user may have connected at once
	// (default 10); MaxConnsPerAddr the websockets open from one remote
	// host (default 64). Negative: no bound.
	MaxDevices, MaxConnsPerAddr int
	// Rate and Burst bound the messages a connection may send per second.
	Rate, Burst float64
	BcryptCost  int
	Logger      *slog.Logger
	// HTTP bounds the HTTP exchanges of HTTPServer (not the websockets).
	HTTP HTTPTimeouts
	// SeparateMetrics leaves /metrics off the main handler: it is served
	// by MetricsHandler, on a listener of its own.
	SeparateMetrics bool
	// NATS, when set (nats://HOST:PORT), joins this server to the other
	// nodes on the same NATS server and database: chat, group updates,
	// presence and calls reach users on every node.
	NATS string
}

// Server is a running parley-server without its listener. Its parts from
// devices on have one job each and are handed what they need in
// newWithStore; none of them holds the Server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   Store
	signer  *auth.Signer
	hasher  *auth.Hasher
	logins  loginThrottles
	metrics *metrics

	devices  *registry          // connected devices; where every frame is queued
	delivery *chatDelivery      // chat messages to their conversation's devices
	presence *presenceAnnouncer // online and offline to contacts
	calls    *calls.Engine
	rec      *callRecorder
	push     *push.Webhook // nil: no webhook configured
	ice      *iceService
	media    *groupMedia   // group calls' media: the SFU
	nodes    *cluster.Node // the rest of the cluster; nil: this node runs alone
	lease    *nodeLease    // this node's lease in the cluster; nil: alone

	// rateClock is the clock of the connections' rate limits; tests stop it.
	rateClock func() time.Time

	mux     *http.ServeMux
	closeMu sync.Once
}

// New opens the store, in cfg.DB or else cfg.DataDir, finishes calls a
// previous run left live, and returns a server ready to serve.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	db, err := openStore(cfg)
	if err != nil {
		return nil, err
	}
	s, err := newWithStore(cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openStore opens the PostgreSQL database of cfg.DB, or else the SQLite
// one in cfg.DataDir.
func openStore(cfg Config) (*store.DB, error) {
	if cfg.DB != "" {
		return store.OpenPostgres(context.Background(), cfg.DB)
	}
	return store.Open(cfg.DataDir)
}

// withDefaults fills in the zero values of cfg and checks what it cannot
// fill in.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.InviteTimeout <= 0 {
		cfg.InviteTimeout = protocol.DefaultInviteTimeout
	}
	if cfg.InviteTimeout < protocol.MinInviteTimeout || cfg.InviteTimeout > protocol.MaxInviteTimeout {
		return cfg, fmt.Errorf("invite timeout %s is outside %s-%s", cfg.InviteTimeout, protocol.MinInviteTimeout, protocol.MaxInviteTimeout)
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.Rate <= 0 {
		cfg.Rate, cfg.Burst = 30, 120
	}
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = 8 * int(cfg.Burst)
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.MaxDevices == 0 {
		cfg.MaxDevices = 10
	}
	if cfg.MaxConnsPerAddr == 0 {
		cfg.MaxConnsPerAddr = 64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// newWithStore builds the server on db from a cfg with its defaults: the one
// place where the parts are made and handed to each other.
func newWithStore(cfg Config, db Store) (*Server, error) {
	ctx := context.Background()
	key, err := db.Secret(ctx)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	var engine *calls.Engine // made last: its output needs the parts below
	m := newMetrics(func() int { return engine.Live() })
	devices := newRegistry(cfg.MaxDevices, cfg.MaxConnsPerAddr)
	delivery := &chatDelivery{devices: devices, members: db, log: log}
	rec := newCallRecorder(db, log, func(ctx context.Context, msg protocol.Message) { delivery.deliver(ctx, msg, "") },
		func(outcome string) { m.calls.WithLabelValues(outcome).Inc() })
	presence := newPresenceAnnouncer(devices, db, log)
	fromNodes := &fromOtherNodes{devices: devices, presence: presence}
	nodes, err := joinCluster(cfg, fromNodes)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Server, error) {
		if nodes != nil {
			nodes.Close()
		}
		return nil, err
	}
	// A node alone ends every call left unfinished; a node of a cluster,
	// only those of nodes whose lease ran out (the others' are live).
	var lease *nodeLease
	if nodes == nil {
		rows, err := db.UnfinishedCalls(ctx)
		if err == nil {
			err = finishOrphanCalls(ctx, rows, rec, delivery.callEnded, log)
		}
		if err != nil {
			return fail(err)
		}
	} else {
		lease = newNodeLease(nodes.ID(), db, rec, delivery.callEnded, log)
		if err := lease.renewAndSweep(ctx); err != nil {
			return fail(err)
		}
	}
	media, err := newGroupMedia(cfg, devices, log)
	if err != nil {
		return fail(err)
	}
	ice, err := startICE(cfg, key, media.sfu.UDPAddr().(*net.UDPAddr).Port, log)
	if err != nil {
		media.close()
		return fail(err)
	}
	var notifier *push.Webhook
	if cfg.PushWebhook != "" {
		notifier = push.New(push.Config{URL: cfg.PushWebhook, Logger: log})
	}
	engineCfg := calls.Config{InviteTimeout: cfg.InviteTimeout, ReconnectGrace: cfg.ReconnectGrace}
	out := &callOutput{devices: devices, push: notifier, rec: rec, media: media, log: log}
	if nodes != nil {
		// The call ids name this node, the owner; the calls of the other
		// nodes hold their participants busy here too.
		engineCfg.NewID, engineCfg.BusyElsewhere = nodes.CallID, nodes.Busy
		out.others = nodes
	}
	engine = calls.New(engineCfg, realClock{}, out)
	media.gate = engine
	s := &Server{
		cfg:       cfg,
		log:       log,
		store:     db,
		signer:    auth.NewSigner(key, nil),
		hasher:    auth.NewHasher(cfg.BcryptCost),
		logins:    newLoginThrottles(),
		metrics:   m,
		devices:   devices,
		delivery:  delivery,
		presence:  presence,
		calls:     engine,
		rec:       rec,
		push:      notifier,
		ice:       ice,
		media:     media,
		nodes:     nodes,
		lease:     lease,
		rateClock: time.Now,
	}
	fromNodes.server.Store(s)
	go s.rec.run()      // ended by s.rec.close
	go s.presence.run() // ended by s.presence.close
	if lease != nil {
		go lease.run() // ended by lease.close
	}
	s.mux = s.routes()
	return s, nil
}

// ServeHTTP serves the API, the websocket, health and metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close ends every live call (recording it as failed), closes every
// connection and the store. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closeMu.Do(func() {
		s.calls.Close()
		s.media.close()
		s.devices.closeAll()
		s.presence.close()
		if s.lease != nil {
			s.lease.close()
		}
		s.rec.close()
		if s.push != nil {
			s.push.Close()
		}
		s.ice.close()
		if s.nodes != nil {
			s.nodes.Close()
		}
		err = s.store.Close()
	})
	return err
}
