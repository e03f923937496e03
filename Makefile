# Parley. `make run` and `make test` are all a fresh Debian or Ubuntu needs.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
BIN := bin

# Debian packages the build and the tests need.
DEBIAN_PACKAGES := gcc pkg-config libvpx-dev libopus-dev libspeexdsp-dev libwebrtc-audio-processing-dev \
	libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth xdotool imagemagick chromium postgresql

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test bench fuzz run clean package screenshots

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
	@# Build every test binary in parallel first, then run them one at a time:
	@# the media, browser and desktop tests make real calls, and two of them at
	@# once on a 2-core machine starve each other.
	$(GO) test -race -count=1 -run '^$$' ./... > /dev/null
	$(GO) test -race -count=1 -p 1 -timeout 40m ./...

# Speed and memory figures; see docs/benchmarks.md.
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 30m ./bench/...
	$(GO) run ./media/cmd/mediabench -calls 20 -hold 20s
	@# Group calls: Parley's SFU against livekit-server (built once into
	@# ~/.cache/parley-bench), from bench/livekit, a module of its own.
	GO=$(GO) bench/sfubench.sh $(BIN)

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

# Installable builds in bin/ (docs/packaging.md): Parley.tar.xz for Linux, a
# .desktop entry included, by fyne's packager; parley.exe for Windows,
# cross-compiled with mingw-w64 against libvpx, libopus, WebRTC's audio
# processing and speexdsp built from Debian's sources (Debian has no Windows
# builds of them).
PACKAGE_DEBIAN_PACKAGES := gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 nasm dpkg-dev xz-utils autoconf automake libtool
WIN_LIBS := libvpx libopus libwebrtc_audio_processing libspeexdsp
FYNE_CLI := fyne.io/tools/cmd/fyne@v1.7.4
WIN := $(BIN)/windows
WIN_ENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
	PKG_CONFIG_LIBDIR=$(CURDIR)/$(WIN)/lib/pkgconfig CGO_LDFLAGS="-lssp -lpthread"

package:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(DEBIAN_PACKAGES) $(PACKAGE_DEBIAN_PACKAGES)"
	@mkdir -p $(BIN)
	@# fyne package rewrites FyneApp.toml (it bumps Build): keep the committed one.
	cp FyneApp.toml $(BIN)/FyneApp.toml.kept
	$(GO) run $(FYNE_CLI) package -os linux --release; s=$$?; cp $(BIN)/FyneApp.toml.kept FyneApp.toml; [ $$s = 0 ]
	mv Parley.tar.xz $(BIN)/
	$(MAKE) --no-print-directory $(WIN_LIBS:%=$(WIN)/lib/%.a)
	$(WIN_ENV) $(GO) build -ldflags "-s -w -H=windowsgui -extldflags=-static" -o $(BIN)/parley.exe .
	@ls -l $(BIN)/Parley.tar.xz $(BIN)/parley.exe

# Debian's sources of the C libraries (its security fixes applied), fetched
# with a source list of their own so the system's apt set-up is untouched.
$(WIN)/src/.fetched:
	@mkdir -p $(WIN)/src/lists/partial
	echo "deb-src http://deb.debian.org/debian $$(. /etc/os-release; echo $$VERSION_CODENAME) main" > $(WIN)/src/sources.list
	cd $(WIN)/src && APT="-o Dir::Etc::SourceList=$$PWD/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$$PWD/lists" && \
		apt-get $$APT update -qq && apt-get $$APT source -qq libvpx opus webrtc-audio-processing speexdsp
	touch $@

$(WIN)/lib/libvpx.a: $(WIN)/src/.fetched
	cd $(WIN)/src/libvpx-*/ && CROSS=x86_64-w64-mingw32- ./configure --target=x86_64-win64-gcc --prefix=$(CURDIR)/$(WIN) \
		--enable-static --disable-shared --disable-vp9 --disable-examples --disable-tools --disable-docs --disable-unit-tests --as=nasm \
		>/dev/null && $(MAKE) -j2 >/dev/null && $(MAKE) install >/dev/null

$(WIN)/lib/libopus.a: $(WIN)/src/.fetched
	cd $(WIN)/src/opus-*/ && ./configure --host=x86_64-w64-mingw32 --prefix=$(CURDIR)/$(WIN) \
		--enable-static --disable-shared --disable-doc --disable-extra-programs >/dev/null && \
		$(MAKE) -j2 >/dev/null && $(MAKE) install >/dev/null

# 0.3 builds only for POSIX hosts: the patch (its head says what it changes)
# selects WebRTC's Windows code; it is applied unless it already is.
$(WIN)/lib/libwebrtc_audio_processing.a: $(WIN)/src/.fetched packaging/webrtc-audio-processing-mingw.patch
	cd $(WIN)/src/webrtc-audio-processing-*/ && \
		{ patch -p1 -R -s -f --dry-run < $(CURDIR)/packaging/webrtc-audio-processing-mingw.patch >/dev/null || \
		  patch -p1 -s < $(CURDIR)/packaging/webrtc-audio-processing-mingw.patch; } && \
		autoreconf -fi >/dev/null 2>&1 && ./configure --host=x86_64-w64-mingw32 --prefix=$(CURDIR)/$(WIN) \
		--enable-static --disable-shared >/dev/null && $(MAKE) -j2 >/dev/null && $(MAKE) install >/dev/null

$(WIN)/lib/libspeexdsp.a: $(WIN)/src/.fetched
	cd $(WIN)/src/speexdsp-*/ && ./configure --host=x86_64-w64-mingw32 --prefix=$(CURDIR)/$(WIN) \
		--enable-static --disable-shared --disable-examples >/dev/null && \
		$(MAKE) -j2 >/dev/null && $(MAKE) install >/dev/null

clean:
	rm -rf $(BIN)

# A picture of every screen in bin/screenshots/: the desktop demo's under
# Xvfb, the browser client's at 390x844 and 1280x800 in headless Chromium.
screenshots: deps
	@rm -rf $(BIN)/screenshots && mkdir -p $(BIN)/screenshots
	PARLEY_SCREENSHOTS=$(CURDIR)/$(BIN)/screenshots $(GO) test -count=1 -p 1 -v -timeout 10m ./internal/screenshots
	@ls $(BIN)/screenshots
