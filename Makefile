# uccn - build, test, fuzz, bench and install.
#
#   make                 build/uccnd and build/uccn
#   make demo            install missing packages, build, run the walk-through
#   make test            install missing packages, build, run every test
#   make SAN=address,undefined test    the same under sanitizers (build/san/)
#   make fuzz            fuzz the wire decoder, the CSV import, the agenda and
#                        the dump's JSON reader
#                        (clang + libFuzzer), FUZZ_SECONDS (60) each;
#                        make fuzz-quick: 10 s each, run by make test
#   make bench           print throughput and memory figures; last, uccn-bench's
#                        table and its one-line `bench: ...` summary
#   make install         PREFIX=/usr/local, DESTDIR honoured; man pages,
#                        completion and uccnd.service too
#   make uninstall       removes what install installed
#   make service-drill   boots uccnd.service under a real systemd in a
#                        container and checks it (root, debootstrap; a
#                        manual drill, not part of make test)

VERSION = 0.1.0
PREFIX ?= /usr/local
CC ?= cc

BUILD ?= build
ifdef SAN
BUILD := build/san
SANFLAGS = -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
# Debian 13 names msgpack-c's pkg-config file msgpack-c; Debian 12 msgpack.
MSGPACK_PC = $(shell pkg-config --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
PKG_CFLAGS = $(shell pkg-config --cflags libzmq lmdb libsodium $(MSGPACK_PC) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) \
	-DUCCN_VERSION='"$(VERSION)"' -MMD -MP
LIBS_MSGPACK = $(shell pkg-config --libs $(MSGPACK_PC))
LIBS_ZMQ = $(shell pkg-config --libs libzmq)
LIBS_LMDB = $(shell pkg-config --libs lmdb)
LIBS_SODIUM = $(shell pkg-config --libs libsodium)
LIBS_CMOCKA = $(shell pkg-config --libs cmocka)
LDFLAGS_ALL = $(LDFLAGS) $(SANFLAGS)

PROTO_SRC = $(wildcard proto/*.c)
STORE_SRC = $(wildcard store/*.c)
AGENDA_SRC = $(wildcard agenda/*.c)
DAEMON_SRC = $(wildcard daemon/*.c)
CLI_SRC = $(wildcard cli/*.c)
# The harness of the end-to-end tests and the benches (tests/harness/);
# its tmpdir.c is plain libc and the unit tests link it alone.
HARNESS_SRC = $(wildcard tests/harness/*.c)
TMPDIR_SRC = tests/harness/tmpdir.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

PROTO_LIB = $(BUILD)/libuccnproto.a
STORE_LIB = $(BUILD)/libuccnstore.a
AGENDA_LIB = $(BUILD)/libuccnagenda.a
UCCND = $(BUILD)/uccnd
UCCN = $(BUILD)/uccn

UNIT_TESTS = $(BUILD)/tests/test_proto $(BUILD)/tests/test_store $(BUILD)/tests/test_import \
	$(BUILD)/tests/test_agenda $(BUILD)/tests/test_agenda_gather $(BUILD)/tests/test_agenda_render \
	$(BUILD)/tests/test_agenda_render_rules $(BUILD)/tests/test_committer \
	$(BUILD)/tests/test_tz $(BUILD)/tests/test_notice $(BUILD)/tests/test_profile \
	$(BUILD)/tests/test_invites $(BUILD)/tests/test_invite $(BUILD)/tests/test_log \
	$(BUILD)/tests/test_metrics $(BUILD)/tests/test_json $(BUILD)/tests/test_verify
E2E_TESTS = $(patsubst tests/e2e/%.c,$(BUILD)/tests/%,$(wildcard tests/e2e/test_*.c))
# Every benchmark lives in tests/bench/. The small benches (bench_*.c) are
# programs of one file each, run by `make bench` in name order.
SMALL_BENCH_SRC = $(sort $(wildcard tests/bench/bench_*.c))
BENCHES = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(SMALL_BENCH_SRC))
# The load generator of issue 6: uccnd beside Redis and the physical floor;
# every other file of tests/bench/ is one of its parts.
UCCN_BENCH = $(BUILD)/uccn-bench
UCCN_BENCH_SRC = $(filter-out $(SMALL_BENCH_SRC),$(wildcard tests/bench/*.c))

.PHONY: all deps demo test check fuzz fuzz-quick fuzz-tools fuzz-if-able bench install uninstall clean
# Keep the objects of pattern-built programs (tests, benches) between runs.
.SECONDARY:
all: $(UCCND) $(UCCN)

deps:
	@sh tools/deps.sh

# The README's two commands. Each installs what is missing first, then
# builds in a fresh make so pkg-config sees the new packages.
demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/walkthrough.sh

test:
	@sh tools/deps.sh test
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory fuzz-if-able

check: $(UCCND) $(UCCN) $(UNIT_TESTS) $(E2E_TESTS)
	@sh tests/run.sh $(BUILD) $(UNIT_TESTS) $(E2E_TESTS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iproto -Istore -Iagenda -c $< -o $@

$(PROTO_LIB): $(call obj,$(PROTO_SRC))
	@rm -f $@
	ar rcs $@ $^

$(STORE_LIB): $(call obj,$(STORE_SRC))
	@rm -f $@
	ar rcs $@ $^

# The agenda: its gathering rules and builder, pure computation over proto's
# records and error codes.
$(AGENDA_LIB): $(call obj,$(AGENDA_SRC))
	@rm -f $@
	ar rcs $@ $^

# The link lines show the layering: the daemon takes store and proto; the
# CLI takes the agenda builder (pure computation) and proto, never store.
# The daemon hashes and draws secrets (invitations) with libsodium; the
# CLI only checks a backup it receives against the server's BLAKE2b.
$(UCCND): $(call obj,$(DAEMON_SRC)) $(STORE_LIB) $(PROTO_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_LMDB) $(LIBS_SODIUM) $(LIBS_MSGPACK)

$(UCCN): $(call obj,$(CLI_SRC)) $(AGENDA_LIB) $(PROTO_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_SODIUM) $(LIBS_MSGPACK)

$(BUILD)/tests/test_proto: $(call obj,tests/unit/test_proto.c) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# JSON to and from msgpack, as the dump uses it: pure proto.
$(BUILD)/tests/test_json: $(call obj,tests/unit/test_json.c) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The invitation's text and the key helpers: pure proto.
$(BUILD)/tests/test_invite: $(call obj,tests/unit/test_invite.c) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The zone check against a zone database made for the test.
$(BUILD)/tests/test_tz: $(call obj,tests/unit/test_tz.c $(TMPDIR_SRC)) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

$(BUILD)/tests/test_store: $(call obj,tests/unit/test_store.c $(TMPDIR_SRC)) $(STORE_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_LMDB) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The page walk of data.mdb before LMDB maps it (store/verify.c), on a
# store the library writes and copies of it the test damages.
$(BUILD)/tests/test_verify: $(call obj,tests/unit/test_verify.c $(TMPDIR_SRC)) $(STORE_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_LMDB) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The invitations table alone, on a real store.
$(BUILD)/tests/test_invites: $(call obj,tests/unit/test_invites.c $(TMPDIR_SRC)) $(STORE_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_LMDB) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The daemon's commit thread, on a real store, without the daemon.
$(BUILD)/tests/test_committer: $(call obj,tests/unit/test_committer.c daemon/committer.c daemon/clock.c daemon/metrics.c $(TMPDIR_SRC)) \
		$(STORE_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -pthread -o $@ $^ $(LIBS_LMDB) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The daemon's status figures (commit latencies, refusals, peers), alone.
$(BUILD)/tests/test_metrics: $(call obj,tests/unit/test_metrics.c daemon/metrics.c) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The daemon's log limiter, alone, on a clock the test drives.
$(BUILD)/tests/test_log: $(call obj,tests/unit/test_log.c daemon/log.c daemon/clock.c tests/harness/logtext.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -pthread -o $@ $^ $(LIBS_CMOCKA)

# The notice of a published agenda is pure computation in daemon/: tested
# on records alone, without a store or a daemon.
$(BUILD)/tests/test_notice: $(call obj,tests/unit/test_notice.c daemon/notice.c) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

$(BUILD)/tests/test_agenda_render: $(call obj,tests/unit/test_agenda_render.c) $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The renderers' rules on agendas made by hand: no builder behaviour in them.
$(BUILD)/tests/test_agenda_render_rules: $(call obj,tests/unit/test_agenda_render_rules.c) $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

$(BUILD)/tests/test_agenda: $(call obj,tests/unit/test_agenda.c) $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The agenda's gathering rules over hand-made records: no daemon, no zones.
$(BUILD)/tests/test_agenda_gather: $(call obj,tests/unit/test_agenda_gather.c) $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# The CSV import is pure computation in cli/: tested without a daemon.
$(BUILD)/tests/test_import: $(call obj,tests/unit/test_import.c cli/import.c) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# Profiles are files and settings in cli/, no ZeroMQ: tested without a daemon.
$(BUILD)/tests/test_profile: $(call obj,tests/unit/test_profile.c cli/profile.c cli/smallfile.c $(TMPDIR_SRC)) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_MSGPACK) $(LIBS_CMOCKA)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/e2e/test_%.o $(call obj,$(HARNESS_SRC)) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# uccnd --check against stores the test damages itself with the store
# library, each value sealed as the daemon seals it.
$(BUILD)/tests/test_check: $(BUILD)/obj/tests/e2e/test_check.o $(call obj,$(HARNESS_SRC)) \
		$(STORE_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_LMDB) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# Test tools. failmeta.so, preloaded into uccnd by test_disk_full, fails
# LMDB's meta page writes on demand. Built without sanitizers: it only
# passes calls through; the test lets an ASan uccnd load it.
FAILMETA = $(BUILD)/tests/failmeta.so
$(FAILMETA): tests/tools/failmeta.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -fPIC -shared -o $@ $< -ldl
$(BUILD)/tests/test_disk_full: | $(FAILMETA)

$(BUILD)/bench/bench_agenda: $(BUILD)/obj/tests/bench/bench_agenda.o $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(call obj,$(HARNESS_SRC)) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

# It speaks the protocol (proto), fills stores directly (store), builds
# agendas (agenda), keeps its daemons in the harness's record and measures
# LMDB itself.
$(UCCN_BENCH): $(call obj,$(UCCN_BENCH_SRC)) $(call obj,$(HARNESS_SRC)) $(STORE_LIB) \
		$(AGENDA_LIB) $(PROTO_LIB)
	$(CC) $(LDFLAGS_ALL) -pthread -o $@ $^ $(LIBS_ZMQ) $(LIBS_LMDB) $(LIBS_MSGPACK) \
		$(LIBS_CMOCKA) -lm

# Installs what is missing (Redis too), then builds in a fresh make so
# pkg-config sees new packages; uccn-bench runs last, so its summary line
# is the last line.
bench:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory $(UCCND) $(UCCN) $(BENCHES) $(UCCN_BENCH)
	@for b in $(BENCHES); do $$b $(BUILD) || exit 1; done
	@$(UCCN_BENCH) $(BUILD)

# Coverage-guided fuzzing (clang + libFuzzer, under ASan and UBSan): the
# request and reply decoders, the CSV city import and the agenda builder
# with its renderers. Each target starts from its committed seeds
# (tests/fuzz/seeds-<target>/) and keeps what it finds in build/fuzz/;
# a crash is saved as build/fuzz/crash-<target>-*.
FUZZ_SECONDS ?= 60
FUZZ_QUICK_SECONDS ?= 10
FUZZ_TARGETS = decode import agenda json
FUZZ_DIR = build/fuzz
FUZZ_BINS = $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -g -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Iproto -Iagenda -Icli $(PKG_CFLAGS)
FUZZ_HEADERS = $(wildcard proto/*.h agenda/*.h) cli/import.h
# Longest input per target: a wire message, a small CSV file, an agenda.
FUZZ_MAXLEN_decode = 4096
FUZZ_MAXLEN_import = 8192
FUZZ_MAXLEN_agenda = 4096
FUZZ_MAXLEN_json = 4096

$(FUZZ_DIR)/fuzz_decode: tests/fuzz/fuzz_decode.c $(PROTO_SRC) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@ $(LIBS_MSGPACK)

# The JSON reader of uccnd --load: a dump is a file anyone may hand over.
$(FUZZ_DIR)/fuzz_json: tests/fuzz/fuzz_json.c proto/json.c proto/utf8.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@ $(LIBS_MSGPACK)

$(FUZZ_DIR)/fuzz_import: tests/fuzz/fuzz_import.c cli/import.c $(PROTO_SRC) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@ $(LIBS_MSGPACK)

$(FUZZ_DIR)/fuzz_agenda: tests/fuzz/fuzz_agenda.c $(AGENDA_SRC) $(PROTO_SRC) $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@ $(LIBS_MSGPACK)

# fuzz_run,SECONDS: every target in turn; the first failure stops the run.
define fuzz_run
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$t || exit 1; \
		echo "fuzz: $$t for $(1) s"; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(1) -rss_limit_mb=512 \
			-max_len=$$(case $$t in decode) echo $(FUZZ_MAXLEN_decode);; \
				import) echo $(FUZZ_MAXLEN_import);; json) echo $(FUZZ_MAXLEN_json);; \
				*) echo $(FUZZ_MAXLEN_agenda);; esac) \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- -print_final_stats=1 \
			$(FUZZ_DIR)/corpus-$$t tests/fuzz/seeds-$$t \
			>$(FUZZ_DIR)/$$t.log 2>&1 || \
			{ tail -n 60 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t FAILED (log: $(FUZZ_DIR)/$$t.log)"; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' $(FUZZ_DIR)/$$t.log | \
			sed "s/^/fuzz: $$t /"; \
	done
endef

fuzz-tools:
	@why=$$(sh tests/fuzz/have-libfuzzer.sh) || { echo "fuzz: needs clang with libFuzzer: $$why"; exit 1; }

fuzz: fuzz-tools
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_SECONDS))

fuzz-quick: fuzz-tools
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(call fuzz_run,$(FUZZ_QUICK_SECONDS))

# What `make test` runs last: the quick fuzz run where clang can do it.
fuzz-if-able:
	@if why=$$(sh tests/fuzz/have-libfuzzer.sh); then \
		$(MAKE) --no-print-directory fuzz-quick; \
	else \
		echo "fuzz: skipped: $$why"; \
	fi

# The completion scripts come from the built uccn, which makes them from
# its command table: they cannot fall behind it.
BASH_COMPLETION_DIR = $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETION_DIR = $(PREFIX)/share/zsh/site-functions
# The hardened systemd unit (daemon/uccnd.service.in), with ExecStart in
# $(PREFIX)/bin.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
		$(DESTDIR)$(PREFIX)/share/man/man8
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR) $(DESTDIR)$(ZSH_COMPLETION_DIR)
	install -m 755 $(UCCND) $(UCCN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/uccn.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/uccnd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/uccnd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|@BINDIR@|$(PREFIX)/bin|g' daemon/uccnd.service.in > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/uccnd.service
	chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/uccnd.service
	$(UCCN) completion bash > $(DESTDIR)$(BASH_COMPLETION_DIR)/uccn
	$(UCCN) completion zsh > $(DESTDIR)$(ZSH_COMPLETION_DIR)/_uccn

# The unit under a real systemd as PID 1: a debootstrapped Debian tree,
# kept in /var/cache/uccn-service-drill, booted with systemd-nspawn
# (tools/service-drill.sh).
# Needs root and a Debian mirror, so make test leaves it out.
.PHONY: service-drill
service-drill:
	@sh tools/service-drill.sh

# Everything install installs, and nothing else.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/uccnd $(DESTDIR)$(PREFIX)/bin/uccn
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/uccn.1 $(DESTDIR)$(PREFIX)/share/man/man8/uccnd.8
	rm -f $(DESTDIR)$(PREFIX)/share/man/man5/uccnd.conf.5
	rm -f $(DESTDIR)$(SYSTEMD_UNIT_DIR)/uccnd.service
	rm -f $(DESTDIR)$(BASH_COMPLETION_DIR)/uccn $(DESTDIR)$(ZSH_COMPLETION_DIR)/_uccn

clean:
	rm -rf build

# ---- make torture: kill -9 and power cuts (tests/torture/) ----
# Four writers post through the real uccn with idempotency keys while the
# real uccnd is killed with SIGKILL (KILL_ROUNDS) or power-cut (CUT_ROUNDS:
# an LD_PRELOAD shim journals the writes to data.mdb not yet synced, and
# undo takes them back after the kill). After each round every
# acknowledged post must be listed exactly once. SEED replays a run's kill
# moments and cut choices. make check runs 3 + 3 rounds of the same
# driver (tests/e2e/test_torture_short.c).
KILL_ROUNDS ?= 20
CUT_ROUNDS ?= 20
SEED ?=
TORTURE_DIR = $(BUILD)/torture
TORTURE_SHIM = $(TORTURE_DIR)/shim.so
TORTURE_UNDO = $(TORTURE_DIR)/undo
TORTURE_BIN = $(TORTURE_DIR)/torture
TORTURE_TOOLS = $(TORTURE_SHIM) $(TORTURE_UNDO)
TORTURE_DRIVER_OBJ = $(call obj,tests/torture/torture.c tests/torture/writer.c \
	tests/torture/ledger.c $(HARNESS_SRC))

.PHONY: torture torture-tools
torture-tools: $(TORTURE_TOOLS)

torture: $(UCCND) $(UCCN) $(TORTURE_TOOLS) $(TORTURE_BIN)
	UCCN_BIN=$(BUILD) $(TORTURE_BIN) $(KILL_ROUNDS) $(CUT_ROUNDS) $(SEED)

check: $(TORTURE_TOOLS)

# Never instrumented, even with SAN: it is preloaded ahead of ASan's
# runtime, into a process that has it.
$(TORTURE_SHIM): tests/torture/shim.c tests/torture/journal.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -fPIC -shared -o $@ $< -ldl -pthread

$(TORTURE_UNDO): $(call obj,tests/torture/undo.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(TORTURE_BIN): $(call obj,tests/torture/torture_main.c) $(TORTURE_DRIVER_OBJ) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_MSGPACK) $(LIBS_CMOCKA)

$(BUILD)/tests/test_torture_short: $(BUILD)/obj/tests/e2e/test_torture_short.o \
		$(TORTURE_DRIVER_OBJ) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ZMQ) $(LIBS_MSGPACK) $(LIBS_CMOCKA)
# ---- end of make torture ----

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
