// Command sfuhost runs Parley's SFU (package sfu) alone, in a process of
// its own, for the SFU benchmark (bench/livekit, `make bench`): the load
// generator measures this process's CPU and memory, not its own.
//
// It listens on loopback: the SFU's media ports, and a control port that
// speaks JSON lines, one TCP connection per device:
//
//	client → host  {"op":"join","room":"r","user":"u"}
//	               {"op":"answer","sdp":"…"}
//	               {"op":"candidate","candidate":{…}}
//	host → client  {"op":"offer","sdp":"…"}
//	               {"op":"candidate","candidate":{…}}
//
// Closing the connection leaves the room. It is a stand-in for
// parley-server's media.join / media.signal until the benchmark drives
// those; it prints "control ADDR" once ready.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/pion/webrtc/v4"

	"parley/sfu"
)

type message struct {
	Op        string                   `json:"op"`
	Room      string                   `json:"room,omitempty"`
	User      string                   `json:"user,omitempty"`
	SDP       string                   `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
}

func main() {
	control := flag.String("control", "127.0.0.1:0", "control address")
	ip := flag.String("ip", "127.0.0.1", "media address")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	s, err := sfu.New(sfu.Config{ListenIP: *ip})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *control)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("control %s\n", ln.Addr())

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		_ = ln.Close()
		_ = s.Close()
		os.Exit(0)
	}()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go serve(s, conn)
	}
}

// signaler writes the room's offers and candidates to the device's
// connection.
type signaler struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (g *signaler) send(m message) {
	g.mu.Lock()
	defer g.mu.Unlock()
	_ = g.enc.Encode(m)
}

func (g *signaler) Offer(sdp string) { g.send(message{Op: "offer", SDP: sdp}) }

func (g *signaler) Candidate(c webrtc.ICECandidateInit) {
	g.send(message{Op: "candidate", Candidate: &c})
}

func serve(s *sfu.SFU, conn net.Conn) {
	defer conn.Close()
	sig := &signaler{enc: json.NewEncoder(conn)}
	dec := json.NewDecoder(bufio.NewReader(conn))
	var room *sfu.Room
	var user, device string
	defer func() {
		if room != nil {
			room.Leave(user, device)
		}
	}()
	for {
		var m message
		if err := dec.Decode(&m); err != nil {
			return
		}
		switch {
		case m.Op == "join" && room == nil:
			room, user, device = s.Room(m.Room), m.User, m.User+"-bench"
			if err := room.Join(user, device, sig); err != nil {
				slog.Warn("join", "user", user, "err", err)
				return
			}
		case room == nil:
			return
		case m.Op == "answer":
			if err := room.Answer(user, device, m.SDP); err != nil {
				slog.Warn("answer", "user", user, "err", err)
			}
		case m.Op == "candidate" && m.Candidate != nil:
			if err := room.Candidate(user, device, *m.Candidate); err != nil {
				slog.Warn("candidate", "user", user, "err", err)
			}
		}
	}
}
