package harness

import (
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a program running in a process group of its own, so that
// ending it ends whatever it started too.
type Process struct {
	Cmd  *exec.Cmd
	Out  *LockedBuffer // what it wrote to standard output and error
	done chan struct{}
	stop sync.Once
}

// StartProcess starts cmd in a process group of its own, its output going
// to Out. The group is ended by Stop, or when the test ends.
func StartProcess(tb testing.TB, cmd *exec.Cmd) *Process {
	tb.Helper()
	p := &Process{Cmd: cmd, Out: &LockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", cmd.Path, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	tb.Cleanup(p.Stop)
	return p
}

// Pid is the process's id, which is also its group's.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Done is closed when the process has ended.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited tells whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop ends the process group: SIGTERM, then SIGKILL after 5 s.
func (p *Process) Stop() {
	p.stop.Do(func() {
		_ = syscall.Kill(-p.Pid(), syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
			<-p.done
		}
	})
}
