package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/livekit/protocol/livekit"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// livekitTarget is livekit-server in dev mode on loopback, driven by
// server-sdk-go with the generator's tracks.
type livekitTarget struct {
	bin string
	dir string
	cmd *exec.Cmd
}

// livekitConfig: every candidate on 127.0.0.1, and no congestion
// control (Parley's SFU has none that would act here either: the
// generator sends no REMB), so that every stream is forwarded.
const livekitConfig = `port: 7880
rtc:
  tcp_port: 7881
  udp_port: 7882
  use_external_ip: false
  node_ip: 127.0.0.1
  enable_loopback_candidate: true
  ips:
    includes: [127.0.0.1/32]
  congestion_control:
    enabled: false
logging:
  level: warn
`

func (t *livekitTarget) name() string { return "LiveKit" }

func (t *livekitTarget) start() (int, error) {
	cfg := filepath.Join(t.dir, "livekit.yaml")
	if err := os.WriteFile(cfg, []byte(livekitConfig), 0o644); err != nil {
		return 0, err
	}
	t.cmd = exec.Command(t.bin, "--dev", "--bind", "127.0.0.1", "--config", cfg)
	t.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(t.dir, "livekit.log"))
	if err != nil {
		return 0, err
	}
	t.cmd.Stdout, t.cmd.Stderr = logf, logf
	if err := t.cmd.Start(); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:7880", time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.stop()
			return 0, fmt.Errorf("livekit-server did not listen; see %s", logf.Name())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return t.cmd.Process.Pid, nil
}

func (t *livekitTarget) stop() { stopProcess(t.cmd) }

func (t *livekitTarget) join(room string, user string, p *participant, rx *receiver, loss *atomic.Int32) (func(), error) {
	cb := lksdk.NewRoomCallback()
	cb.ParticipantCallback.OnTrackSubscribed = func(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
		go rx.read(track)
	}
	r, err := lksdk.ConnectToRoom("ws://127.0.0.1:7880", lksdk.ConnectInfo{
		APIKey: "devkey", APISecret: "secret", RoomName: room, ParticipantIdentity: user,
	}, cb,
		lksdk.WithInterceptors([]interceptor.Factory{&hookFactory{p: p, loss: loss}}),
		lksdk.WithIncludeDefaultInterceptors(true),
		lksdk.WithDisableRegionDiscovery(),
		lksdk.WithConnectTimeout(30*time.Second), // the machine may be loaded
		lksdk.WithLogger(protoLogger.GetDiscardLogger()),
	)
	if err != nil {
		return nil, err
	}
	if p != nil {
		if _, err := r.LocalParticipant.PublishTrack(p.audio, &lksdk.TrackPublicationOptions{
			Name: "mic", Source: livekit.TrackSource_MICROPHONE,
		}); err != nil {
			r.Disconnect()
			return nil, err
		}
		if p.cam != nil {
			if _, err := r.LocalParticipant.PublishTrack(p.cam, &lksdk.TrackPublicationOptions{
				Name: "camera", Source: livekit.TrackSource_CAMERA, VideoWidth: 640, VideoHeight: 480,
			}); err != nil {
				r.Disconnect()
				return nil, err
			}
		}
	}
	return r.Disconnect, nil
}
