package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus figures. Each server has its own
// registry, so that tests can run several servers in one process.
type metrics struct {
	reg          *prometheus.Registry
	connections  prometheus.Gauge
	framesIn     prometheus.Counter
	framesOut    prometheus.Counter
	chatMessages prometheus.Counter
	liveCalls    prometheus.GaugeFunc
	calls        *prometheus.CounterVec
	requests     *prometheus.HistogramVec
	logins       *prometheus.CounterVec
}

// newMetrics makes the figures; liveCalls counts the calls live now.
func newMetrics(liveCalls func() int) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "parley_connections", Help: "Websocket connections open now."}),
		framesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_frames_received_total", Help: "Websocket messages received from clients."}),
		framesOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_frames_sent_total", Help: "Websocket messages written to clients."}),
		chatMessages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_chat_messages_total", Help: "Chat messages stored (resends not counted)."}),
		liveCalls: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "parley_live_calls", Help: "Calls ringing or going on now."},
			func() float64 { return float64(liveCalls()) }),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_calls_total", Help: "Calls ended, by outcome."}, []string{"outcome"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "parley_request_duration_seconds",
			Help:    "Time to handle a websocket request, by type; for call.invite it includes queueing the ring to every online device of the invitees.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"type"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_logins_total", Help: "Login attempts, by result."}, []string{"result"}),
	}
	m.reg.MustRegister(m.connections, m.framesIn, m.framesOut, m.chatMessages, m.liveCalls, m.calls, m.requests, m.logins,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
