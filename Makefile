# latentlab: `make run` sets up and opens the app; `make test` sets up and runs the tests.
SHELL := /bin/bash
GO ?= go
# Debian packages: a C compiler for cgo, the OpenGL and X11 headers Fyne builds against, and OpenBLAS for matrix products.
DEB_PACKAGES := gcc pkg-config libgl1-mesa-dev xorg-dev libopenblas-dev
# Extra packages for the tests: the real-window smoke test (virtual X server, screenshots, synthetic
# input) and the PyTorch companion's round trips and two-process run (Debian's PyTorch 1.13, CPU).
DEB_TEST_PACKAGES := xvfb imagemagick xdotool python3-torch
GOFLAGS_APP := -tags migrated_fynedo

.PHONY: run test setup setup-test setup-cross deps build bench cross package install fuzz pretrained clean

run: setup build
	./bin/latentlab

# The app's packages take 5-9 minutes under the race detector on two busy cores, near go test's
# default limit of 10 per package; 30 leaves room for a slower machine.
test: setup setup-test deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

build: deps
	$(GO) build -o bin/latentlab ./cmd/latentlab
	$(GO) build $(GOFLAGS_APP) -o bin/latentlab-app ./cmd/latentlab-app

deps:
	@command -v $(GO) >/dev/null || { echo "setup: Go is not installed; install Go 1.26 from the Go website or your package manager"; exit 1; }
	$(GO) mod download

setup:
	@$(call install_debs,$(DEB_PACKAGES))

setup-test:
	@$(call install_debs,$(DEB_TEST_PACKAGES))

bench: setup deps
	$(GO) test -run '^$$' -bench 'Snapshot' ./model/train
	$(GO) test -run '^$$' -bench 'Trainer' -benchtime 100x ./model/train
	$(GO) run ./cmd/latentlab-bench --drag

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 60s ./model/infra/safetensors
	$(GO) test -run '^$$' -fuzz FuzzReadImages -fuzztime 60s ./model/dataset
	$(GO) test -run '^$$' -fuzz FuzzReadLabels -fuzztime 60s ./model/dataset
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 60s ./model/checkpoint
	$(GO) test -run '^$$' -fuzz FuzzRead -fuzztime 60s ./model/digit
	$(GO) test -run '^$$' -fuzz FuzzLoadConfigs -fuzztime 60s ./ui
	$(GO) test -run '^$$' -fuzz FuzzXServerAddress -fuzztime 30s ./cmd/internal/display

# The models shipped in assets/pretrained: each trained at the app's defaults for its kind and
# architecture (seed 1, ten epochs, the embedded MNIST), then written in half precision (a GAN as
# its generator alone). About an hour and a half on two cores; OpenBLAS's kernels differ between
# CPUs, so other CPUs give other files, this one always the same.
PRETRAINED := ae-mlp vae-mlp gan-mlp ae-conv vae-conv gan-conv
pretrained: build
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for m in $(PRETRAINED); do \
		kind=$${m%-*}; arch=$${m#*-}; \
		echo "pretrained: training $$m"; \
		./bin/latentlab train --model $$kind --arch $$arch --out "$$tmp/$$m" --quiet; \
		./bin/latentlab export --half --checkpoint "$$tmp/$$m/$$kind.safetensors" --out assets/pretrained/$$m.safetensors --force; \
	done

# Other platforms, checked here rather than hoped for: the app for windows/amd64 (mingw-w64, and
# gonum's pure-Go BLAS, since there is no OpenBLAS for it) and for linux/arm64 (Debian's cross
# compiler and arm64 libraries through multiarch); the numeric packages' tests and a short training
# test for arm64 under qemu-user (-short: qemu cannot start a second arm64 process); the kernels
# built by clang, as on macOS; and training on gonum's BLAS. Binaries go to bin/<os>-<arch>/.
CROSS_DEBS := gcc-mingw-w64-x86-64 gcc-aarch64-linux-gnu qemu-user clang
CROSS_ARM64_DEBS := libc6-dev:arm64 libopenblas-dev:arm64 libgl1-mesa-dev:arm64 libx11-dev:arm64 \
	libxcursor-dev:arm64 libxrandr-dev:arm64 libxinerama-dev:arm64 libxi-dev:arm64 libxxf86vm-dev:arm64
ARM64 := CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc \
	PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig
WINDOWS := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc
CROSS_TESTS := ./model/kernel ./model/infra/... ./model/dataset ./model/checkpoint ./model/nn/...
TRAIN_TESTS := 'TestTrainer_TrainingLowersValidationLoss|TestTrainer_SameSeedSameRun|TestGradients_MatchFiniteDifferences|TestSnapshot_DecodeEqualsGraphForward'

cross: setup-cross deps
	$(WINDOWS) $(GO) build -tags noopenblas,migrated_fynedo -o bin/windows-amd64/ ./cmd/latentlab ./cmd/latentlab-app
	$(ARM64) $(GO) build $(GOFLAGS_APP) -o bin/linux-arm64/ ./cmd/latentlab ./cmd/latentlab-app
	$(ARM64) $(GO) test -count=1 -short -exec qemu-aarch64 $(CROSS_TESTS)
	$(ARM64) $(GO) test -count=1 -short -exec qemu-aarch64 -run $(TRAIN_TESTS) ./model/train
	@set -eo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	qemu-aarch64 bin/linux-arm64/latentlab train --model vae --epochs 1 --train-size 2000 --out "$$tmp" | tail -4
	CC=clang $(GO) test -count=1 ./model/kernel
	$(GO) test -count=1 -tags noopenblas ./model/infra/openblas ./model/kernel
	$(GO) test -count=1 -tags noopenblas -run $(TRAIN_TESTS) ./model/train

# A Linux desktop bundle, bin/latentlab.tar.xz, made by Fyne's packager from FyneApp.toml (name, app
# ID, version, icon, desktop entry): the app's program, its .desktop file and icon, and a Makefile to
# install them. `make install` installs it for the user (~/.local: bin, applications, icons; with
# INSTALL_HOME=DIR, under DIR/.local), with the headless command beside the app. The packager is pinned and runs
# from the Go module proxy; it is a build tool, not a dependency of latentlab. It counts its runs
# in FyneApp.toml's Build, which make package puts back: the build number is the file's.
FYNE := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4
package: setup build
	@set -e; cp FyneApp.toml bin/.FyneApp.toml.kept; trap 'mv bin/.FyneApp.toml.kept FyneApp.toml' EXIT; \
	$(FYNE) package --target linux --executable bin/latentlab-app; \
	mv latentlab.tar.xz bin/latentlab.tar.xz
	@echo "package: bin/latentlab.tar.xz"

INSTALL_HOME ?= $(HOME)
install: package
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	tar -xJf bin/latentlab.tar.xz -C "$$tmp"; \
	$(MAKE) --no-print-directory -C "$$tmp"/latentlab-app user-install HOME="$(INSTALL_HOME)" >/dev/null; \
	install -Dm00755 bin/latentlab "$(INSTALL_HOME)/.local/bin/latentlab"; \
	echo "install: latentlab and latentlab-app in $(INSTALL_HOME)/.local/bin, a desktop entry in $(INSTALL_HOME)/.local/share/applications"

setup-cross:
	@if ! dpkg --print-foreign-architectures | grep -qx arm64; then \
		if [ "$$(id -u)" = 0 ]; then dpkg --add-architecture arm64; else sudo dpkg --add-architecture arm64; fi \
		|| { echo "setup: cannot add the arm64 architecture; as root run: dpkg --add-architecture arm64"; exit 1; }; \
	fi
	@$(call install_debs,$(CROSS_DEBS) $(CROSS_ARM64_DEBS))

clean:
	rm -rf bin

# install_debs installs the missing Debian packages among $(1): with apt-get as
# root, with sudo otherwise; where it cannot, it says exactly what to install.
define install_debs
missing=""; \
for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
if [ -z "$$missing" ]; then exit 0; fi; \
if ! command -v apt-get >/dev/null; then echo "setup: not a Debian system; install the equivalents of:$$missing"; exit 1; fi; \
if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; \
else echo "setup: not root and no sudo; as root run: apt-get install -y$$missing"; exit 1; fi; \
echo "setup: installing$$missing"; \
$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq$$missing >/dev/null \
  || { echo "setup: apt-get failed; install:$$missing"; exit 1; }
endef
