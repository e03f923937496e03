// Package turn runs parley-server's STUN/TURN service on pion/turn and mints
// the time-limited credentials (the TURN REST scheme) handed out at login.
//
// pion/turn v5 is used rather than v4 because it is the line pion/webrtc v4
// itself depends on, so client and server share one stun/transport stack.
package turn

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
)

// DefaultPort is the IANA port of STUN and TURN over UDP and TCP, and
// DefaultTLSPort that of TURN over TLS.
const (
	DefaultPort    = 3478
	DefaultTLSPort = 5349
)

// Config configures the service.
type Config struct {
	// UDPAddr is the UDP address of STUN and TURN over UDP, TCPAddr the TCP
	// address of TURN (and STUN) over TCP, and TLSAddr the TCP address of
	// TURN over TLS, served with TLS. Empty: none of that kind; at least
	// one must be given. A host without a port gets DefaultPort
	// (DefaultTLSPort for TLSAddr). Whichever transport a client reaches
	// the service over, its relays are UDP.
	UDPAddr, TCPAddr, TLSAddr string
	// TLS is the configuration of the TLS listener, the one HTTPS serves
	// with; required with TLSAddr.
	TLS *tls.Config
	// TLSName is the host name put in turns: URLs, one the certificate
	// covers; the public IP when empty.
	TLSName string
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
	srv     *turn.Server
	udp     net.PacketConn // nil: no UDP listener
	tcp     net.Listener   // nil: no TCP listener
	tls     net.Listener   // nil: no TLS listener; its Addr is the TCP one
	public  net.IP
	tlsName string
	secret  []byte
}

// Start listens and serves until Close.
func Start(cfg Config) (s *Server, err error) {
	if len(cfg.Secret) == 0 {
		return nil, errors.New("turn: a secret is required")
	}
	if cfg.Realm == "" {
		cfg.Realm = "parley"
	}
	if cfg.UDPAddr == "" && cfg.TCPAddr == "" && cfg.TLSAddr == "" {
		return nil, errors.New("turn: no listen address")
	}
	if cfg.TLSAddr != "" && cfg.TLS == nil {
		return nil, errors.New("turn: a TLS listener needs a TLS configuration")
	}
	s = &Server{tlsName: cfg.TLSName, secret: append([]byte(nil), cfg.Secret...)}
	defer func() {
		if err != nil {
			s.closeListeners()
		}
	}()
	// bindIP is the IP of the first listener: relays open on it.
	var bindIP net.IP
	if cfg.UDPAddr != "" {
		addr, err := listenAddr(cfg.UDPAddr, DefaultPort)
		if err != nil {
			return nil, err
		}
		if s.udp, err = net.ListenPacket("udp4", addr); err != nil {
			return nil, fmt.Errorf("turn: listen on UDP %s: %w", addr, err)
		}
		bindIP = s.udp.LocalAddr().(*net.UDPAddr).IP
	}
	for _, l := range []struct {
		addr string
		port int
		ln   *net.Listener
	}{{cfg.TCPAddr, DefaultPort, &s.tcp}, {cfg.TLSAddr, DefaultTLSPort, &s.tls}} {
		if l.addr == "" {
			continue
		}
		addr, err := listenAddr(l.addr, l.port)
		if err != nil {
			return nil, err
		}
		if *l.ln, err = net.Listen("tcp4", addr); err != nil {
			return nil, fmt.Errorf("turn: listen on TCP %s: %w", addr, err)
		}
		if bindIP == nil {
			bindIP = (*l.ln).Addr().(*net.TCPAddr).IP
		}
	}
	if s.public, err = publicIP(cfg.PublicIP, bindIP); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		lf := logging.NewDefaultLoggerFactory()
		lf.DefaultLogLevel = logging.LogLevelError
		logger = lf
	}
	bind, _ := netip.AddrFromSlice(bindIP)
	bind = bind.Unmap()
	publicAddr, _ := netip.AddrFromSlice(s.public)
	filter := newPeerFilter(cfg.AllowPeers, bind, publicAddr.Unmap(), interfaceAddrs(logger))
	filter.mediaPort = uint16(cfg.MediaPort)
	// Relayed sockets open on the listen IP and are announced with the
	// public one, which is the usual one-NIC deployment. The filter keeps
	// them off the server's own networks (peers.go). Every listener hands
	// out the same UDP relays behind the same filter.
	relays := &relayGenerator{
		RelayAddressGeneratorStatic: turn.RelayAddressGeneratorStatic{
			RelayAddress: s.public,
			Address:      bind.String(),
		},
		filter: filter,
	}
	sc := turn.ServerConfig{Realm: cfg.Realm, AuthHandler: s.authenticate, LoggerFactory: logger}
	if s.udp != nil {
		sc.PacketConnConfigs = []turn.PacketConnConfig{{PacketConn: s.udp, RelayAddressGenerator: relays, PermissionHandler: filter.permits}}
	}
	if s.tcp != nil {
		sc.ListenerConfigs = append(sc.ListenerConfigs, turn.ListenerConfig{Listener: s.tcp, RelayAddressGenerator: relays, PermissionHandler: filter.permits})
	}
	if s.tls != nil {
		// pion completes the handshake of each connection it accepts,
		// bounded by a timeout, before it reads from it.
		sc.ListenerConfigs = append(sc.ListenerConfigs, turn.ListenerConfig{Listener: tls.NewListener(s.tls, cfg.TLS), RelayAddressGenerator: relays, PermissionHandler: filter.permits})
	}
	if s.srv, err = turn.NewServer(sc); err != nil {
		return nil, fmt.Errorf("turn: %w", err)
	}
	return s, nil
}

// closeListeners closes the listeners of a service that failed to start.
func (s *Server) closeListeners() {
	if s.udp != nil {
		s.udp.Close()
	}
	for _, l := range []net.Listener{s.tcp, s.tls} {
		if l != nil {
			l.Close()
		}
	}
}

func listenAddr(a string, defaultPort int) (string, error) {
	if _, _, err := net.SplitHostPort(a); err == nil {
		return a, nil
	}
	if net.ParseIP(a) == nil && a != "localhost" {
		return "", fmt.Errorf("turn: bad listen address %q", a)
	}
	return net.JoinHostPort(a, strconv.Itoa(defaultPort)), nil
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

// Addr is the UDP address the service listens on; nil when it listens on
// no UDP port.
func (s *Server) Addr() *net.UDPAddr {
	if s.udp == nil {
		return nil
	}
	return s.udp.LocalAddr().(*net.UDPAddr)
}

// TCPAddr is the address of TURN over TCP; nil when there is none.
func (s *Server) TCPAddr() *net.TCPAddr {
	if s.tcp == nil {
		return nil
	}
	return s.tcp.Addr().(*net.TCPAddr)
}

// TLSAddr is the address of TURN over TLS; nil when there is none.
func (s *Server) TLSAddr() *net.TCPAddr {
	if s.tls == nil {
		return nil
	}
	return s.tls.Addr().(*net.TCPAddr)
}

// URLs are the ICE server URLs for a login reply, one for each way to
// reach the service: STUN and TURN over UDP at the public address, TURN
// over TCP there, and TURN over TLS at the TLS name (or, without one, the
// public address).
func (s *Server) URLs() []string {
	public := s.public.String()
	var urls []string
	if a := s.Addr(); a != nil {
		hp := net.JoinHostPort(public, strconv.Itoa(a.Port))
		urls = append(urls, "stun:"+hp, "turn:"+hp+"?transport=udp")
	}
	if a := s.TCPAddr(); a != nil {
		urls = append(urls, "turn:"+net.JoinHostPort(public, strconv.Itoa(a.Port))+"?transport=tcp")
	}
	if a := s.TLSAddr(); a != nil {
		name := s.tlsName
		if name == "" {
			name = public
		}
		urls = append(urls, "turns:"+net.JoinHostPort(name, strconv.Itoa(a.Port))+"?transport=tcp")
	}
	return urls
}

// Credentials mints a TURN REST username and password for user, valid for
// ttl.
func (s *Server) Credentials(user string, ttl time.Duration) (username, password string) {
	return Credentials(s.secret, user, time.Now().Add(ttl))
}

// Close stops the service and frees its relays.
func (s *Server) Close() error { return s.srv.Close() }
