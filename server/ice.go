package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"time"

	"parley/protocol"
	"parley/server/turn"
)

// iceService is the embedded STUN/TURN service, if one runs, and the ICE
// servers a login hands out for it.
type iceService struct {
	turn *turn.Server  // nil: none runs
	ttl  time.Duration // how long credentials last: as long as a session token
}

// startICE starts the STUN/TURN service at cfg.TURNAddr, TURNTCPAddr and
// TURNTLSAddr (with TURNTLS), unless all are empty. tokenKey is the key
// that signs session tokens; relays may reach the SFU at mediaPort.
func startICE(cfg Config, tokenKey []byte, mediaPort int, log *slog.Logger) (*iceService, error) {
	ice := &iceService{ttl: cfg.TokenTTL}
	if cfg.TURNAddr == "" && cfg.TURNTCPAddr == "" && cfg.TURNTLSAddr == "" {
		return ice, nil
	}
	tlsAddr := cfg.TURNTLSAddr
	if cfg.TURNTLS == nil {
		tlsAddr = "" // no certificate, no TURN over TLS
	}
	srv, err := turn.Start(turn.Config{UDPAddr: cfg.TURNAddr, TCPAddr: cfg.TURNTCPAddr,
		TLSAddr: tlsAddr, TLS: cfg.TURNTLS, TLSName: cfg.TURNTLSName, PublicIP: cfg.PublicIP,
		Secret: turnKey(tokenKey), AllowPeers: cfg.TURNAllowPeers, MediaPort: mediaPort})
	if err != nil {
		return nil, err
	}
	attrs := []any{"urls", srv.URLs()}
	if a := srv.Addr(); a != nil {
		attrs = append(attrs, "udp", a.String())
	}
	if a := srv.TCPAddr(); a != nil {
		attrs = append(attrs, "tcp", a.String())
	}
	if a := srv.TLSAddr(); a != nil {
		attrs = append(attrs, "tls", a.String())
	}
	log.Info("STUN/TURN listening", attrs...)
	ice.turn = srv
	return ice, nil
}

// turnKey derives the TURN key from the token key, so that neither reveals
// the other.
func turnKey(tokenKey []byte) []byte {
	m := hmac.New(sha256.New, tokenKey)
	m.Write([]byte("parley-turn-v1"))
	return m.Sum(nil)
}

// servers are the STUN/TURN servers of user's login reply.
func (i *iceService) servers(user string) []protocol.ICEServer {
	if i.turn == nil {
		return []protocol.ICEServer{}
	}
	name, password := i.turn.Credentials(user, i.ttl)
	return []protocol.ICEServer{{URLs: i.turn.URLs(), Username: name, Credential: password}}
}

func (i *iceService) close() {
	if i.turn != nil {
		i.turn.Close()
	}
}
