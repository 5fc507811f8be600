# `make test` installs what the lab needs (when run as root on Debian/Ubuntu)
# and runs every test: units, fuzz seeds, and the lab with real OpenSSH in
# network namespaces.
GO ?= go

.PHONY: test test-deps build lint cross bench fuzz

test: test-deps
	$(GO) test -race -count=1 ./...

test-deps:
	./scripts/test-deps.sh

build:
	$(GO) build -o sshdoctor ./cmd/sshdoctor

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

cross:
	GOOS=darwin GOARCH=arm64 $(GO) build ./...
	GOOS=windows GOARCH=amd64 $(GO) build ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
