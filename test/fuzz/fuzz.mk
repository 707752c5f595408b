# libFuzzer harnesses (test/fuzz/*.c) for the code that parses what comes from outside the
# hv: config.dtb, the boot bundle, guest images, virtqueues, virtio requests, x86 MMIO
# instructions. Included by the top Makefile.
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_ONLY="config virtq"]
#       every harness (or FUZZ_ONLY's) for FUZZ_SECONDS each, one after another, niced;
#       corpora in build/fuzz/corpus/<harness>/, crashes in build/fuzz/crashes/; fails if
#       any harness crashed. libfdt is built from source with the same instrumentation.
#   make fuzz-smoke: build/host/fuzz/<harness>, linked with the system libfdt (no download);
#       test/run.sh runs them over the seeds and corpora plus a short random pass.

FUZZ_HARNESSES := config bundle arm64-image bzimage virtq blk console insn
FUZZ_SECONDS ?= 60
FUZZ_ONLY ?= $(FUZZ_HARNESSES)

FUZZ_CC := clang
# -ftrivial-auto-var-init=pattern: a variable read before it is set holds 0xAA.. instead of
# whatever the stack had, so using it (a pointer, say) fails the same way on every run.
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -ftrivial-auto-var-init=pattern \
	-Ihv/include -Idrivers/include -Itest/fuzz

# Sources and include directory of each harness (besides test/fuzz/<harness>.c).
FUZZ_HDRS := $(wildcard test/fuzz/*.h)
FUZZ_GUEST_RAM := test/fuzz/guest_ram.c
FUZZ_VIRTIO := hv/virtq.c hv/virtio_dev.c hv/virtio_mmio.c hv/mmio.c test/fuzz/vdev.c $(FUZZ_GUEST_RAM)
FUZZ_SRCS_config := hv/config.c hv/config_schema.c hv/bundle.c arch/aarch64/image.c
FUZZ_SRCS_bundle := hv/bundle.c
FUZZ_SRCS_arm64-image := arch/aarch64/image.c
FUZZ_SRCS_bzimage := arch/x86_64/bzimage.c arch/x86_64/image.c
FUZZ_SRCS_virtq := hv/virtq.c $(FUZZ_GUEST_RAM)
FUZZ_SRCS_blk := hv/blk.c hv/virtio_blk.c $(FUZZ_VIRTIO) test/fuzz/stub_hv.c
FUZZ_SRCS_console := $(FUZZ_VIRTIO) test/fuzz/stub_hv.c
FUZZ_SRCS_insn := arch/x86_64/insn.c
FUZZ_ARCH_bzimage := x86_64
FUZZ_ARCH_insn := x86_64
fuzz_arch = $(or $(FUZZ_ARCH_$(1)),aarch64)

# libfdt with the fuzzers' instrumentation, from source (scripts/libfdt-source.sh).
FUZZ_FDT_SRC := $(DEPS)/libfdt-src
FUZZ_FDT_LIB := build/fuzz/libfdt/libfdt.a
$(FUZZ_FDT_SRC)/fdt.c:
	scripts/libfdt-source.sh $(FUZZ_FDT_SRC)
$(FUZZ_FDT_LIB): $(FUZZ_FDT_SRC)/fdt.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  libfdt")
	$(Q)cd $(dir $@) && rm -f *.o && for f in $(abspath $(FUZZ_FDT_SRC))/*.c; do \
		$(FUZZ_CC) $(filter-out -I%,$(FUZZ_CFLAGS)) -fsanitize=fuzzer-no-link \
			-I$(abspath $(FUZZ_FDT_SRC)) -c $$f || exit 1; done && ar rcs $(notdir $@) *.o

# fuzz_rule(dir, libfdt include and link flags, extra cflags, prerequisite):
# build/<dir>/<harness> for every harness.
define fuzz_rule
$(1)/%: test/fuzz/%.c $$$$(FUZZ_SRCS_$$$$*) $(FUZZ_HDRS) $(4) | $(DEPS_STAMP)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  FUZZCC  $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $(3) -fsanitize=fuzzer -Iarch/$$(call fuzz_arch,$$*)/include \
		$(2) -o $$@ $$< $$(FUZZ_SRCS_$$*) $(5)
endef
.SECONDEXPANSION:
# Linux's copy of libfdt has no fdt_check.c: fdt_check_full() alone comes from the system
# library (uninstrumented), after the instrumented one, which provides everything it calls.
$(eval $(call fuzz_rule,build/fuzz/bin,-isystem $(FUZZ_FDT_SRC),,$(FUZZ_FDT_LIB),$(FUZZ_FDT_LIB) -l:libfdt.a))
$(eval $(call fuzz_rule,$(HOSTO)/fuzz,,,,-lfdt))

FUZZ_BIN := build/fuzz/bin
FUZZ_SMOKE_BINS := $(patsubst %,$(HOSTO)/fuzz/%,$(FUZZ_HARNESSES))

.PHONY: fuzz fuzz-smoke
fuzz: $(patsubst %,$(FUZZ_BIN)/%,$(FUZZ_ONLY))
	test/fuzz/run.sh long $(FUZZ_BIN) $(FUZZ_SECONDS) $(FUZZ_ONLY)
fuzz-smoke: $(FUZZ_SMOKE_BINS)
	test/fuzz/run.sh smoke $(HOSTO)/fuzz $(FUZZ_HARNESSES)
