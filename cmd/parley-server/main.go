// Command parley-server runs Parley's server: accounts, presence, chat, call
// signaling, metrics. See README.md and docs/protocol.md.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"parley/internal/cpuprofile"
	"parley/protocol"
	"parley/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stderr))
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `usage: parley-server [flags]
       parley-server [--data DIR | --db URL] user add NAME    (password on standard input)
flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func run(args []string, stdin io.Reader, stderr io.Writer) int {
	fs := flag.NewFlagSet("parley-server", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:7000", "address to listen on (HTTP and websocket)")
	data := fs.String("data", "parley-data", "directory of the SQLite database, and of the certificates of --acme-domain; with --db, of those certificates alone")
	db := fs.String("db", "", "keep the state in this PostgreSQL database instead of SQLite in --data: a `URL`, postgres://USER@HOST:PORT/DATABASE (the password best in PGPASSWORD or ~/.pgpass, not in the URL); see docs/deploy.md")
	timeout := fs.Duration("invite-timeout", protocol.DefaultInviteTimeout, "how long an invite rings (5s-120s)")
	register := fs.Bool("allow-register", true, "let anyone create an account")
	webhook := fs.String("push-webhook", "", "URL that gets a JSON POST for each invite to a user with no device online")
	grace := fs.Duration("reconnect-grace", 10*time.Second, "how long a device that dropped out of a call may take to come back")
	maxDevices := fs.Int("max-devices", 10, "devices one user may have connected at once (-1: no limit)")
	maxConns := fs.Int("max-conns-per-addr", 64, "websockets one remote address may hold open; behind a reverse proxy every client has the proxy's address (-1: no limit)")
	turnPort := fs.Int("turn-port", 3478, "UDP port of STUN and TURN on the host of --addr (0: any free port, -1: no STUN/TURN over UDP)")
	turnTCPPort := fs.Int("turn-tcp-port", 3478, "TCP port of TURN over TCP, for networks that block UDP, on the host of --addr (0: any free port, -1: none)")
	turnsPort := fs.Int("turns-port", 5349, "TCP port of TURN over TLS, served with the certificate of HTTPS when there is one (--tls-cert or --acme-domain), on the host of --addr (0: any free port, -1: none)")
	publicIP := fs.String("public-ip", "", "IPv4 address clients reach the TURN service and the SFU's media ports at, when it is not the host of --addr")
	mediaPort := fs.Int("media-port", 7882, "UDP port of all group-call media (the SFU), on the host of --addr (0: any free port)")
	mediaTCPPort := fs.Int("media-tcp-port", 7881, "TCP port of group-call media for networks that block UDP (ICE-TCP), on the host of --addr (0: any free port)")
	natsURL := fs.String("nats", "", "join the other nodes on this NATS server (a `URL`, nats://HOST:PORT) and the same --db: any node serves any user: chat, presence and calls reach every node (a call is run by the node of its caller); see docs/deploy.md")
	var allowPeers []netip.Prefix
	fs.Func("turn-allow-peers", "comma-separated `CIDRs` TURN relays may send to although they are private, loopback, link-local or this host's (refused by default)", func(v string) error {
		for _, c := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(c))
			if err != nil {
				return err
			}
			allowPeers = append(allowPeers, p)
		}
		return nil
	})
	var tlsf tlsFlags
	fs.StringVar(&tlsf.certFile, "tls-cert", "", "PEM `file` of the TLS certificate (and its chain): serve HTTPS; read again on SIGHUP")
	fs.StringVar(&tlsf.keyFile, "tls-key", "", "PEM `file` of the certificate's private key")
	fs.StringVar(&tlsf.acmeDomain, "acme-domain", "", "get and renew the certificate of this `domain` from Let's Encrypt (serve on port 443; the data directory keeps it)")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics on this address instead of --addr; keep it private (loopback, or a network only monitoring reaches)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this `file` (for go tool pprof)")
	verbose := fs.Bool("v", false, "log debug messages")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stderr, fs)
			return 0
		}
		fmt.Fprintf(stderr, "parley-server: %v\n", err)
		usage(stderr, fs)
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "parley-server: --addr: %v\n", err)
		return 2
	}
	cfg := server.Config{
		DataDir: *data, DB: *db, InviteTimeout: *timeout, AllowRegister: *register,
		PushWebhook: *webhook, ReconnectGrace: *grace, Logger: log,
		MaxDevices: *maxDevices, MaxConnsPerAddr: *maxConns,
		PublicIP: *publicIP, MediaIP: host, MediaPort: *mediaPort, MediaTCPPort: *mediaTCPPort,
	}
	for _, p := range []struct {
		port int
		addr *string
	}{{*turnPort, &cfg.TURNAddr}, {*turnTCPPort, &cfg.TURNTCPAddr}, {*turnsPort, &cfg.TURNTLSAddr}} {
		if p.port >= 0 {
			*p.addr = net.JoinHostPort(host, strconv.Itoa(p.port))
		}
	}
	cfg.TURNAllowPeers = allowPeers
	if rest := fs.Args(); len(rest) > 0 {
		if len(rest) == 3 && rest[0] == "user" && rest[1] == "add" {
			return addUser(cfg, rest[2], stdin, stderr)
		}
		fmt.Fprintf(stderr, "parley-server: unknown command %q\n", strings.Join(rest, " "))
		usage(stderr, fs)
		return 2
	}
	cfg.SeparateMetrics = *metricsAddr != ""
	cfg.NATS = *natsURL
	tlsCfg, reload, err := tlsf.config(cfg.DataDir)
	if err != nil {
		fmt.Fprintf(stderr, "parley-server: %v\n", err)
		return 2
	}
	// TURN over TLS serves with the certificate of HTTPS, or not at all
	// (server.Config: TURNTLS nil).
	cfg.TURNTLS, cfg.TURNTLSName = tlsCfg, tlsf.serverName()
	if *cpuProfile != "" {
		stop, err := cpuprofile.Start(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "parley-server: %v\n", err)
			return 2
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintf(stderr, "parley-server: --cpuprofile: %v\n", err)
			}
		}()
	}
	if err := serve(cfg, *addr, *metricsAddr, tlsCfg, reload, log); err != nil {
		fmt.Fprintf(stderr, "parley-server: %v\n", err)
		return 1
	}
	return 0
}

func addUser(cfg server.Config, name string, stdin io.Reader, stderr io.Writer) int {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "parley-server: reading the password: %v\n", err)
		return 1
	}
	password := strings.TrimRight(line, "\r\n")
	if err := server.AddUser(context.Background(), cfg, name, password); err != nil {
		fmt.Fprintf(stderr, "parley-server: adding %s: %v\n", name, err)
		return 1
	}
	fmt.Fprintf(stderr, "added user %s\n", name)
	return 0
}

// serve runs the server on addr (over TLS with tlsCfg, when not nil), and
// its metrics on metricsAddr when that is not empty, until SIGINT or
// SIGTERM. SIGHUP calls reload, when not nil.
func serve(cfg server.Config, addr, metricsAddr string, tlsCfg *tls.Config, reload func() error, log *slog.Logger) error {
	s, err := server.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return err
	}
	var mln net.Listener
	if metricsAddr != "" {
		if mln, err = net.Listen("tcp", metricsAddr); err != nil {
			ln.Close()
			s.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	} else {
		warnIfPlainOnNetwork(ln.Addr(), log)
	}
	hs := s.HTTPServer(s)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if reload != nil {
		go reloadOnHangup(ctx, reload, log) // ends with ctx
	}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("parley-server listening", "addr", ln.Addr().String(), "tls", tlsCfg != nil, "data", cfg.DataDir, "postgresql", cfg.DB != "")
	var ms *http.Server
	if mln != nil {
		ms = s.HTTPServer(s.MetricsHandler())
		go func() { errc <- ms.Serve(mln) }()
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	if ms != nil {
		_ = ms.Shutdown(sctx)
	}
	if cerr := s.Close(); err == nil || errors.Is(err, http.ErrServerClosed) {
		err = cerr
	}
	return err
}

// reloadOnHangup calls reload at each SIGHUP until ctx is done.
func reloadOnHangup(ctx context.Context, reload func() error, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := reload(); err != nil {
				log.Error("SIGHUP: the TLS certificate was not reloaded; the old one stays", "err", err)
			} else {
				log.Info("SIGHUP: TLS certificate reloaded")
			}
		}
	}
}
