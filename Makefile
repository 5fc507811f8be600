# `make test` installs what the lab needs (when run as root on Debian/Ubuntu)
# and runs every test: units, fuzz seeds, and the lab with real OpenSSH in
# network namespaces.
GO ?= go

.PHONY: test test-deps build lint cross bench fuzz release-check docs

test: test-deps
	$(GO) test -race -count=1 ./...

test-deps:
	./scripts/test-deps.sh

build:
	$(GO) build -o sshdoctor ./cmd/sshdoctor

# Tools pinned in tools/go.mod, their own module: nothing of theirs enters go.mod.
TOOL = $(GO) tool -modfile=tools/go.mod

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(TOOL) golangci-lint run --allow-parallel-runners ./...

# The release configuration is valid, and a snapshot of this platform builds
# through it (before-hooks included: man pages and completions) into dist/
# and reports its version. `goreleaser release --snapshot --clean` makes
# every archive and package; CI builds one target to stay quick.
release-check:
	$(TOOL) goreleaser check
	$(TOOL) goreleaser build --snapshot --single-target --clean --output dist/sshdoctor-snapshot
	./dist/sshdoctor-snapshot --version | grep -q '^sshdoctor [0-9.]*-next ('
	test -s .release/man/sshdoctor.1 && test -s .release/completions/sshdoctor.bash

# Man pages and completion scripts into .release/ (the release does this itself).
docs:
	$(GO) run ./scripts/gendocs .release

# The other systems' builds, and vet of their code and tests (the
# OS-specific layers are thin, but they must compile and vet clean).
cross:
	GOOS=darwin GOARCH=arm64 $(GO) vet ./...
	GOOS=darwin GOARCH=amd64 $(GO) build ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./...
	GOOS=windows GOARCH=arm64 $(GO) build ./...
	GOOS=linux GOARCH=arm64 $(GO) build ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
