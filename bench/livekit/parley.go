package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// parleyTarget is Parley's SFU in bench/cmd/sfuhost, a process of its own
// driven through its JSON-lines control port.
type parleyTarget struct {
	bin     string
	cmd     *exec.Cmd
	control string
}

func (t *parleyTarget) name() string { return "Parley" }

func (t *parleyTarget) start() (int, error) {
	t.cmd = exec.Command(t.bin)
	t.cmd.Stderr = os.Stderr // the SFU's warnings
	t.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := t.cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := t.cmd.Start(); err != nil {
		return 0, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.stop()
		return 0, fmt.Errorf("sfuhost: %v", err)
	}
	t.control = strings.TrimSpace(strings.TrimPrefix(line, "control "))
	return t.cmd.Process.Pid, nil
}

func (t *parleyTarget) stop() { stopProcess(t.cmd) }

type controlMsg struct {
	Op        string                   `json:"op"`
	Room      string                   `json:"room,omitempty"`
	User      string                   `json:"user,omitempty"`
	SDP       string                   `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
}

// parleyAPI is a client's: VP8 96 and Opus 111 as Parley's SFU offers
// them; the hook next to the wire, then NACK and RTCP reports.
func parleyAPI(p *participant, loss *atomic.Int32) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
			RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}},
		PayloadType: 96,
	}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
		PayloadType:        111,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	reg.Add(&hookFactory{p: p, loss: loss})
	if err := webrtc.ConfigureNack(m, reg); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

// join connects one device: p publishes (nil: receive only), rx counts
// what comes. It returns once the join request is sent.
func (t *parleyTarget) join(room string, user string, p *participant, rx *receiver, loss *atomic.Int32) (func(), error) {
	api, err := parleyAPI(p, loss)
	if err != nil {
		return nil, err
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	if p != nil {
		tracks := []webrtc.TrackLocal{p.audio}
		if p.cam != nil {
			tracks = append(tracks, p.cam)
		}
		for _, track := range tracks {
			sender, err := pc.AddTrack(track)
			if err != nil {
				return nil, err
			}
			// Incoming RTCP reaches the interceptors (the NACK responder,
			// the hook's PLI) only as it is read.
			go func() {
				buf := make([]byte, 1500)
				for {
					if _, _, err := sender.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { rx.read(track) })
	conn, err := net.Dial("tcp", t.control)
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	var mu sync.Mutex
	enc := json.NewEncoder(conn)
	send := func(m controlMsg) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(m)
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			init := c.ToJSON()
			send(controlMsg{Op: "candidate", Candidate: &init})
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		dec := json.NewDecoder(bufio.NewReader(conn))
		for {
			var m controlMsg
			if dec.Decode(&m) != nil {
				return
			}
			switch m.Op {
			case "offer":
				if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: m.SDP}); err != nil {
					continue
				}
				answer, err := pc.CreateAnswer(nil)
				if err == nil {
					err = pc.SetLocalDescription(answer)
				}
				if err == nil {
					send(controlMsg{Op: "answer", SDP: answer.SDP})
				}
			case "candidate":
				if m.Candidate != nil {
					_ = pc.AddICECandidate(*m.Candidate)
				}
			}
		}
	}()
	send(controlMsg{Op: "join", Room: room, User: user})
	return func() {
		_ = conn.Close()
		<-done
		_ = pc.Close()
	}, nil
}

func stopProcess(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}
