// Package turn runs parley-server's STUN/TURN service on pion/turn and mints
// the time-limited credentials (the TURN REST scheme) handed out at login.
//
// pion/turn v5 is used rather than v4 because it is the line pion/webrtc v4
// itself depends on, so client and server share one stun/transport stack.
package turn

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
)

// DefaultPort is the IANA port of STUN and TURN over UDP.
const DefaultPort = 3478

// Config configures the service.
type Config struct {
	// ListenAddr is the UDP address to listen on; ":3478" when empty. A host
	// without a port gets DefaultPort.
	ListenAddr string
	// PublicIP is the address clients reach this host at, put in relay
	// candidates and ICE URLs. When empty the listen IP is used, or, when
	// that is unspecified, the first LAN address of this host.
	PublicIP string
	// Realm names the server in the long-term credential mechanism.
	Realm string
	// Secret is the key shared between the credential minting and the
	// checking; it never leaves the server.
	Secret []byte
	// AllowPeers are ranges relays may send to although they are denied by
	// default (deniedPeers, and this host's own addresses), such as the
	// private network of an intranet deployment. A range opens every
	// address in it, this host's own included.
	AllowPeers []netip.Prefix
	// MediaPort is the UDP port of the server's SFU, which relays may send
	// to at the addresses they are reached at: a client behind a NAT may
	// reach group calls' media only through a relay. 0: none.
	MediaPort int
	// Logger receives pion's logs; nil silences all but errors.
	Logger logging.LoggerFactory
}

// Server is a running STUN/TURN service.
type Server struct {
	srv    *turn.Server
	conn   net.PacketConn
	public net.IP
	port   int
	secret []byte
}

// Start listens and serves until Close.
func Start(cfg Config) (*Server, error) {
	if len(cfg.Secret) == 0 {
		return nil, errors.New("turn: a secret is required")
	}
	if cfg.Realm == "" {
		cfg.Realm = "parley"
	}
	addr, err := listenAddr(cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("turn: listen on %s: %w", addr, err)
	}
	local := conn.LocalAddr().(*net.UDPAddr)
	public, err := publicIP(cfg.PublicIP, local.IP)
	if err != nil {
		conn.Close()
		return nil, err
	}
	s := &Server{conn: conn, public: public, port: local.Port, secret: append([]byte(nil), cfg.Secret...)}
	logger := cfg.Logger
	if logger == nil {
		lf := logging.NewDefaultLoggerFactory()
		lf.DefaultLogLevel = logging.LogLevelError
		logger = lf
	}
	bind := local.AddrPort().Addr().Unmap()
	publicAddr, _ := netip.AddrFromSlice(public)
	filter := newPeerFilter(cfg.AllowPeers, bind, publicAddr.Unmap(), interfaceAddrs(logger))
	filter.mediaPort = uint16(cfg.MediaPort)
	s.srv, err = turn.NewServer(turn.ServerConfig{
		Realm:         cfg.Realm,
		AuthHandler:   s.authenticate,
		LoggerFactory: logger,
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: conn,
			// Relayed sockets open on the listen IP and are announced with
			// the public one, which is the usual one-NIC deployment. The
			// filter keeps them off the server's own networks (peers.go).
			RelayAddressGenerator: &relayGenerator{
				RelayAddressGeneratorStatic: turn.RelayAddressGeneratorStatic{
					RelayAddress: public,
					Address:      bind.String(),
				},
				filter: filter,
			},
			PermissionHandler: filter.permits,
		}},
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("turn: %w", err)
	}
	return s, nil
}

func listenAddr(a string) (string, error) {
	if a == "" {
		return ":" + strconv.Itoa(DefaultPort), nil
	}
	if _, _, err := net.SplitHostPort(a); err == nil {
		return a, nil
	}
	if net.ParseIP(a) == nil && a != "localhost" {
		return "", fmt.Errorf("turn: bad listen address %q", a)
	}
	return net.JoinHostPort(a, strconv.Itoa(DefaultPort)), nil
}

func publicIP(configured string, listen net.IP) (net.IP, error) {
	if configured != "" {
		ip := net.ParseIP(configured)
		if ip == nil || ip.To4() == nil {
			return nil, fmt.Errorf("turn: public IP %q is not an IPv4 address", configured)
		}
		return ip.To4(), nil
	}
	if listen.IsUnspecified() {
		return lanIP(), nil
	}
	return listen.To4(), nil
}

// lanIP guesses the address others on the LAN reach this host at: the first
// IPv4 address of an interface that is up and not loopback. 127.0.0.1 when
// there is none, which suits one machine only.
func lanIP() net.IP {
	ifaces, _ := net.Interfaces()
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
				return n.IP.To4()
			}
		}
	}
	return net.IPv4(127, 0, 0, 1).To4()
}

// interfaceAddrs lists this host's addresses, unmapped. When the host will
// not list them, relays refuse the denied ranges only.
func interfaceAddrs(logger logging.LoggerFactory) []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		logger.NewLogger("turn").Warnf("listing this host's addresses: %v; relays refuse only the denied ranges", err)
	}
	var out []netip.Addr
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}

// Addr is the UDP address the service listens on.
func (s *Server) Addr() *net.UDPAddr { return s.conn.LocalAddr().(*net.UDPAddr) }

// URLs are the ICE server URLs for a login reply: STUN and TURN over UDP at
// the public address.
func (s *Server) URLs() []string {
	hp := net.JoinHostPort(s.public.String(), strconv.Itoa(s.port))
	return []string{"stun:" + hp, "turn:" + hp + "?transport=udp"}
}

// Credentials mints a TURN REST username and password for user, valid for
// ttl.
func (s *Server) Credentials(user string, ttl time.Duration) (username, password string) {
	return Credentials(s.secret, user, time.Now().Add(ttl))
}

// Close stops the service and frees its relays.
func (s *Server) Close() error { return s.srv.Close() }
