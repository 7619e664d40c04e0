# agtrace-bpf - eBPF tracer for AI agents.
# Layout follows libbpf-bootstrap: bpf/*.bpf.c -> .output/*.bpf.o -> bpftool skeleton -> user/.
OUTPUT := .output
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
CC ?= cc
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VERSION := 0.1.0

CFLAGS ?= -g -O2
WARN := -Wall -Wextra -Werror=implicit-function-declaration
BASE_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -DAGT_VERSION='"$(VERSION)"'
INCLUDES := -I$(OUTPUT) -Ibpf -Iuser -Ianalyze
LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz -lzstd -lcjson -lnghttp2 -lbrotlidec -lpthread
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# user/ files that include libbpf or the skeleton; everything else in user/ and analyze/ is
# plain C and goes into the unit-tested core library.
LIBBPF_SRCS := user/main.c user/tracer.c user/tls_probe.c
CORE_SRCS := $(filter-out $(LIBBPF_SRCS),$(wildcard user/*.c)) $(wildcard analyze/*.c)
CORE_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(CORE_SRCS))
SAN_OBJS := $(patsubst %.c,$(OUTPUT)/san/%.o,$(CORE_SRCS))
APP_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LIBBPF_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOADS := $(patsubst tests/workloads/%.c,$(OUTPUT)/workloads/%,$(WORKLOAD_SRCS))
# The Go agent of the Go TLS tests (Debian's golang-go) as users ship it: plain, stripped and
# static, PIE; gotab, the Go locator's view of a binary, and gosym, Go's own, for the oracle tests.
GO ?= go
GO_AGENT_SRC := tests/llm/clients/go_agent/main.go
GO_BINS := $(OUTPUT)/workloads/go_agent $(OUTPUT)/workloads/go_agent_s \
	$(OUTPUT)/workloads/go_agent_pie $(OUTPUT)/workloads/gotab $(OUTPUT)/workloads/gosym
WORKLOADS += $(GO_BINS)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean deps vmlinux unit integration test bench format demo fuzz strace-compare test-kernels test-rustls

all: agtrace-bpf

deps:
	$(Q)./scripts/deps.sh

vmlinux:
	$(call msg,GEN,vmlinux/vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/analyze $(OUTPUT)/san/user $(OUTPUT)/san/analyze $(OUTPUT)/tests $(OUTPUT)/workloads:
	$(Q)mkdir -p $@

# The checked-in vmlinux.h is x86_64's; on another architecture the build dumps the running
# kernel's BTF instead (CO-RE relocates either way, but the types must be that arch's).
ifeq ($(ARCH),x86)
VMLINUX_DIR := vmlinux
else
VMLINUX_DIR := $(OUTPUT)/vmlinux-$(ARCH)
$(VMLINUX_DIR)/vmlinux.h:
	$(Q)mkdir -p $(VMLINUX_DIR)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@
endif

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/agtrace.h $(wildcard bpf/*.bpf.h) $(VMLINUX_DIR)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(ARCH) -I$(VMLINUX_DIR) -Ibpf \
		-c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) bpf/agtrace.h | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/analyze/%.o: analyze/%.c $(wildcard analyze/*.h) | $(OUTPUT)/analyze
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(INCLUDES) -c $< -o $@

$(APP_OBJS): $(OUTPUT)/agtrace.skel.h $(OUTPUT)/tls.skel.h $(OUTPUT)/tls_sock.skel.h

# The model table (context windows, prices) is compiled in: models.tsv becomes a C string, so the
# binary needs no data path; a user file can still override it at run time (analyze/models.h).
$(OUTPUT)/models_tsv.h: analyze/data/models.tsv | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q){ printf '/* generated from %s by the Makefile: do not edit */\n' $<; \
	  printf 'static const char models_builtin_tsv[] =\n'; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; \
	  printf '\t"";\n'; } > $@

$(OUTPUT)/analyze/models.o $(OUTPUT)/san/analyze/models.o $(OUTPUT)/fuzz/analyze/models.o: \
	$(OUTPUT)/models_tsv.h

$(OUTPUT)/san/user/%.o: user/%.c $(wildcard user/*.h) bpf/agtrace.h | $(OUTPUT)/san/user
	$(Q)$(CC) -g -O1 $(WARN) -std=gnu11 -D_GNU_SOURCE -DAGT_VERSION='"$(VERSION)"' $(SAN) $(INCLUDES) -c $< -o $@

$(OUTPUT)/san/analyze/%.o: analyze/%.c $(wildcard analyze/*.h) | $(OUTPUT)/san/analyze
	$(Q)$(CC) -g -O1 $(WARN) -std=gnu11 -D_GNU_SOURCE $(SAN) $(INCLUDES) -c $< -o $@

agtrace-bpf: $(APP_OBJS) $(CORE_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/tests/test_%: tests/unit/test_%.c $(SAN_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -g -O1 $(WARN) -std=gnu11 -D_GNU_SOURCE $(SAN) $(INCLUDES) $< $(SAN_OBJS) \
		-lcmocka -lelf -lz -lzstd -lcjson -lnghttp2 -lbrotlidec -lbrotlienc -lpthread -o $@

$(OUTPUT)/workloads/%: tests/workloads/%.c | $(OUTPUT)/workloads
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -std=gnu11 -D_GNU_SOURCE $< -lpthread -o $@

# Go's build cache under .output: no $HOME needed, removed by `make clean`.
GO_ENV := GOCACHE=$(abspath $(OUTPUT))/go-cache GOPATH=$(abspath $(OUTPUT))/go-path GOFLAGS=-mod=mod

$(OUTPUT)/workloads/go_agent: $(GO_AGENT_SRC) | $(OUTPUT)/workloads
	$(call msg,GO,$@)
	$(Q)$(GO_ENV) $(GO) build -o $@ $<

$(OUTPUT)/workloads/go_agent_s: $(GO_AGENT_SRC) | $(OUTPUT)/workloads
	$(call msg,GO,$@)
	$(Q)CGO_ENABLED=0 $(GO_ENV) $(GO) build -ldflags='-s -w' -o $@ $<

$(OUTPUT)/workloads/go_agent_pie: $(GO_AGENT_SRC) | $(OUTPUT)/workloads
	$(call msg,GO,$@)
	$(Q)$(GO_ENV) $(GO) build -buildmode=pie -ldflags='-s -w' -o $@ $<

$(OUTPUT)/workloads/gosym: tests/tools/gosym/main.go | $(OUTPUT)/workloads
	$(call msg,GO,$@)
	$(Q)$(GO_ENV) $(GO) build -o $@ $<

$(OUTPUT)/workloads/gotab: tests/tools/gotab.c $(CORE_OBJS) | $(OUTPUT)/workloads
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(INCLUDES) $< $(CORE_OBJS) $(LIBS) -o $@

unit: $(UNIT_BINS)
	$(Q)./tests/run_unit.sh $(UNIT_BINS)

integration: agtrace-bpf $(WORKLOADS) $(OUTPUT)/bssl_locate
	$(Q)./tests/integration/run.sh

# Every argument and result of the project's workloads compared with strace -f's (root).
strace-compare: agtrace-bpf $(WORKLOADS)
	$(Q)./scripts/strace_agreement.sh

# The README's test command: dependencies, build, unit tests under ASan/UBSan, then the
# integration tests with the real BPF programs. The last line is the total.
test: deps
	$(Q)$(MAKE) --no-print-directory agtrace-bpf $(UNIT_BINS) $(WORKLOADS) $(OUTPUT)/bssl_locate
	$(Q)./tests/run_all.sh $(UNIT_BINS)

# The smoke set on the host and on Debian's 5.10, 6.1 and 6.12 kernels booted under qemu
# (scripts/kernels/); KERNELS_FULL=1 runs the whole integration suite in each guest instead.
test-kernels: deps agtrace-bpf $(WORKLOADS)
	$(Q)./scripts/kernels/test.sh

# TLS located in stripped binaries, on the real Codex and Copilot CLIs
# (tests/integration/rustls_tests.sh): pinned in tests/rustls/package-lock.json, ~300 MB to
# download, so not part of make test.
test-rustls: deps agtrace-bpf
	$(Q)[ -x tests/rustls/node_modules/@github/copilot-linux-x64/copilot ] && \
		[ -x tests/rustls/node_modules/codex-ring/vendor/x86_64-unknown-linux-musl/bin/codex ] || \
		(cd tests/rustls && npm ci --ignore-scripts --no-audit --no-fund)
	$(Q)AGT_RUSTLS=1 ./tests/integration/run.sh test_rustls_codex_exec
	$(Q)AGT_RUSTLS=1 ./tests/integration/run.sh test_rustls_copilot
	$(Q)AGT_RUSTLS=1 ./tests/integration/run.sh test_rustls_codex_ring_blind

bench: deps agtrace-bpf $(WORKLOADS) $(OUTPUT)/bench_rec_io
	$(Q)./scripts/bench.sh

# The recording's events file alone (scripts/bench_rec.sh): the writer's events/s, the reader's MB/s.
# the BoringSSL locator's dry run (tests/tools/bssl_locate.c): offsets, no attach
$(OUTPUT)/bssl_locate: tests/tools/bssl_locate.c $(CORE_OBJS) | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(INCLUDES) $< $(CORE_OBJS) $(LIBS) -o $@

$(OUTPUT)/bench_rec_io: tests/fuzz/bench_rec_io.c $(CORE_OBJS) | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(INCLUDES) $< $(CORE_OBJS) $(LIBS) -o $@

format:
	$(Q)clang-format -i bpf/*.c bpf/*.h user/*.c user/*.h tests/unit/*.c tests/workloads/*.c

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) agtrace-bpf

# The README's first command: set up, build, and trace a real (small) agent: an HTTP model
# conversation and the tools it runs, then the same run as a -c summary.
demo: deps agtrace-bpf
	$(Q)./scripts/demo.sh

# The real agent CLIs (tests/agents/package-lock.json, npm) traced against the mock: one row per
# CLI, failing rows included. Not part of `make test` (~2 GB of CLIs, minutes).
.PHONY: test-agents bench-agent
test-agents: deps agtrace-bpf
	$(Q)./tests/agents/run.sh

# One real agent CLI's multi-step tool run, traced vs untraced (the last part of make bench).
bench-agent: deps agtrace-bpf
	$(Q)./scripts/bench_agent.sh

# libFuzzer harnesses (tests/fuzz/fuzz_NAME.c): the recording readers (analyze/), the TLS record
# -> HTTP -> LLM event path (tls) and the LLM body layer and redactor (llm). Every harness links the
# whole core (user/ without libbpf, analyze/), built once with the fuzzer's instrumentation.
# `make fuzz` runs each for FUZZ_TIME seconds (FUZZ=NAME for one) on .output/fuzz/corpus-NAME,
# seeded from tests/fuzz/corpus-NAME (recording: tests/fuzz/corpus); a crash stops with its input
# saved as .output/fuzz/NAME-crash-*. FUZZ_ARGS passes more libFuzzer flags (-jobs=4, -runs=N, ...).
FUZZ_TIME ?= 60
FUZZ ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_ARGS ?=
FUZZ_BINS := $(patsubst %,$(OUTPUT)/fuzz/fuzz_%,$(FUZZ))
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined $(WARN) -std=gnu11 \
	-D_GNU_SOURCE -DAGT_VERSION='"$(VERSION)"' $(INCLUDES)
FUZZ_OBJS := $(patsubst %.c,$(OUTPUT)/fuzz/%.o,$(CORE_SRCS))
FUZZ_LIBS := -lnghttp2 -lbrotlidec -lz -lzstd -lcjson -lelf -lpthread -lm

$(OUTPUT)/fuzz $(OUTPUT)/fuzz/user $(OUTPUT)/fuzz/analyze:
	$(Q)mkdir -p $@

$(OUTPUT)/fuzz/user/%.o: user/%.c $(wildcard user/*.h) bpf/agtrace.h | $(OUTPUT)/fuzz/user
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(OUTPUT)/fuzz/analyze/%.o: analyze/%.c $(wildcard analyze/*.h) | $(OUTPUT)/fuzz/analyze
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_OBJS) | $(OUTPUT)/fuzz
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(FUZZ_OBJS) \
		$(FUZZ_LIBS) -o $@

fuzz: $(FUZZ_BINS)
	$(Q)for n in $(FUZZ); do \
		seed=tests/fuzz/corpus-$$n; [ -d $$seed ] || seed=tests/fuzz/corpus; \
		dict=; [ -f tests/fuzz/$$n.dict ] && dict=-dict=tests/fuzz/$$n.dict; \
		mkdir -p $(OUTPUT)/fuzz/corpus-$$n; \
		echo "  FUZZ     $$n ($(FUZZ_TIME) s, seeds $$seed)"; \
		$(OUTPUT)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 \
			-print_final_stats=1 -artifact_prefix=$(OUTPUT)/fuzz/$$n- $$dict $(FUZZ_ARGS) \
			$(OUTPUT)/fuzz/corpus-$$n $$seed || exit 1; \
	done

.PHONY: fuzz-corpus

# Regenerates the TLS and LLM seed corpora (tests/fuzz/gen_corpus.c).
fuzz-corpus: | $(OUTPUT)/fuzz
	$(call msg,GEN,tests/fuzz/corpus-tls tests/fuzz/corpus-llm)
	$(Q)$(CC) -O1 -Wall -Wextra -std=gnu11 -D_GNU_SOURCE -Ibpf tests/fuzz/gen_corpus.c \
		-lnghttp2 -lbrotlienc -lz -o $(OUTPUT)/fuzz/gen_corpus
	$(Q)$(OUTPUT)/fuzz/gen_corpus tests/fuzz
