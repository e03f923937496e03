# Parley. `make run` and `make test` are all a fresh Debian or Ubuntu needs.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
BIN := bin

# Debian packages the build and the tests need.
DEBIAN_PACKAGES := gcc pkg-config libvpx-dev libopus-dev \
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth xdotool imagemagick chromium

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test bench fuzz run clean

all: build

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; \
	fi
	@# playwright-core drives Debian's chromium in the browser tests; it downloads no browser.
	@[ web/test/node_modules/.package-lock.json -nt web/test/package-lock.json ] || \
		(cd web/test && npm ci --no-audit --no-fund --loglevel=error)

build: deps
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -o $(BIN)/parley-server ./cmd/parley-server
	$(GO) build -o $(BIN)/parley-cli ./cmd/parley-cli
	$(GO) build -o $(BIN)/parley .

# Every test: unit, end to end against the real binaries, bad input.
test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

# Speed and memory figures; see docs/benchmarks.md.
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 30m ./bench/...
	$(GO) run ./media/cmd/mediabench -calls 20 -hold 20s

# A short run of every fuzz target.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s $$pkg || exit 1; \
		done; \
	done

# The desktop app with its embedded server ("Host on this computer", data in
# ./parley-data). ARGS=--demo opens two signed-in windows (alice and bob).
run: build
	$(BIN)/parley --data ./parley-data $(ARGS)

clean:
	rm -rf $(BIN)
