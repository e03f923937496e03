// Package push tells an operator's webhook about invites to users who have
// no device online, so that the operator can wake a phone through FCM, APNs
// or UnifiedPush. Delivery never blocks call signaling: notices wait in a
// bounded queue, and a webhook that fails is retried a few times, then given
// up on with a log line.
package push

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Notice is the JSON body POSTed to the webhook.
type Notice struct {
	User         string `json:"user"`
	Caller       string `json:"caller"`
	CallID       string `json:"call_id"`
	Conversation string `json:"conversation"`
	Media        string `json:"media"`
	DeadlineMS   int64  `json:"deadline_ms"`
}

// Config holds the webhook and its conservative defaults.
type Config struct {
	URL      string
	Attempts int           // tries per notice; default 3
	Backoff  time.Duration // before the second try, doubling after; default 1s
	Timeout  time.Duration // per request; default 5s
	Queue    int           // notices waiting; default 256
	Client   *http.Client
	Logger   *slog.Logger
}

// Webhook posts notices from one worker goroutine, which Close ends.
type Webhook struct {
	cfg    Config
	queue  chan Notice
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New starts the webhook's worker.
func New(cfg Config) *Webhook {
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 256
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &Webhook{cfg: cfg, queue: make(chan Notice, cfg.Queue)}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	w.wg.Add(1)
	go w.run()
	return w
}

// Notify queues n; when the queue is full the notice is dropped and logged.
func (w *Webhook) Notify(n Notice) {
	select {
	case w.queue <- n:
	default:
		w.cfg.Logger.Warn("push queue full; notice dropped", "user", n.User, "call", n.CallID)
	}
}

// Close stops the worker; notices still queued are dropped.
func (w *Webhook) Close() {
	w.cancel()
	w.wg.Wait()
}

func (w *Webhook) run() {
	defer w.wg.Done()
	for {
		select {
		case <-w.ctx.Done():
			return
		case n := <-w.queue:
			w.deliver(n)
		}
	}
}

func (w *Webhook) deliver(n Notice) {
	body, _ := json.Marshal(n)
	wait := w.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err := w.post(body)
		if err == nil {
			return
		}
		if attempt == w.cfg.Attempts || time.Now().UnixMilli()+wait.Milliseconds() > n.DeadlineMS {
			w.cfg.Logger.Warn("push webhook failed; giving up", "user", n.User, "call", n.CallID, "attempts", attempt, "err", err)
			return
		}
		w.cfg.Logger.Info("push webhook failed; retrying", "user", n.User, "call", n.CallID, "attempt", attempt, "err", err)
		select {
		case <-w.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (w *Webhook) post(body []byte) error {
	ctx, cancel := context.WithTimeout(w.ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}
