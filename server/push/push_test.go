package push

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestWebhookRetriesThenDelivers(t *testing.T) {
	var calls atomic.Int32
	got := make(chan Notice, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		var n Notice
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			t.Error(err)
		}
		got <- n
	}))
	defer srv.Close()
	w := New(Config{URL: srv.URL, Backoff: time.Millisecond})
	defer w.Close()
	w.Notify(Notice{User: "bob", Caller: "alice", CallID: "c1", Media: "video", DeadlineMS: time.Now().Add(time.Minute).UnixMilli()})
	n := <-got
	if n.User != "bob" || n.Caller != "alice" || n.CallID != "c1" || calls.Load() != 3 {
		t.Fatalf("got %+v after %d calls", n, calls.Load())
	}
}

func TestWebhookGivesUp(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	w := New(Config{URL: srv.URL, Backoff: time.Millisecond, Attempts: 2})
	w.Notify(Notice{User: "bob", DeadlineMS: time.Now().Add(time.Minute).UnixMilli()})
	for calls.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	w.Close()
	if c := calls.Load(); c != 2 {
		t.Fatalf("%d attempts, want 2", c)
	}
}
