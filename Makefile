# Top-level build.  make [ARCH=aarch64] [CROSS_COMPILE=...] [O=build/<arch>] [V=1]
#   all           hv image, guests, boot bundles (installs/builds dependencies first)
#   run           boot the two-partition demo under QEMU (quit: Ctrl-A x); BOOT=efi boots it
#                 through the UEFI firmware and boot/efi-<arch> instead of QEMU -kernel;
#                 DEMO=<config> picks another config, DISK=<image> attaches a disk
#   test          host unit tests + end-to-end tests; ends with "N passed, N failed"
#   bench         ratios of the same guest partitioned vs. bare (see test/bench/run.py)
#   check-config  CONFIG=file.dts: validate a configuration on the host
#   readme-config rewrite the README's configuration reference from the schema
#   gdb           RUN the demo halted, waiting for gdb on :1234 (see README)
#   isos          x86_64: a BIOS-bootable ISO per config (GRUB + boot/multiboot2), in $(O)/iso/
#   bochs         x86_64: boot DEMO's ISO under Bochs (BOCHS_CPU=corei7_haswell_4770 | ryzen)
#   e2e-bochs     x86_64: the end-to-end rows Bochs can run (BOCHS_ROWS), under Bochs
#   fuzz          libFuzzer harnesses, FUZZ_SECONDS each (test/fuzz/fuzz.mk)

ARCH ?= aarch64
O ?= build/$(ARCH)
DEPS := build/deps
HOSTO := build/host

ifeq ($(wildcard arch/$(ARCH)/arch.mk),)
$(error ARCH=$(ARCH) is not supported (have: $(notdir $(wildcard arch/*))))
endif
include arch/$(ARCH)/arch.mk
# What `make bench` needs beyond arch.mk, for a port that keeps it apart (x86_64)
-include test/bench/$(ARCH)/bench.mk
.DEFAULT_GOAL := all

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
NEWLIB := $(DEPS)/newlib-$(ARCH)/$(NEWLIB_HOST)
LIBFDT := $(DEPS)/libfdt-$(ARCH)
DEPS_STAMP := $(NEWLIB)/lib/libc.a

ifeq ($(V),1)
Q :=
else
Q := @
endif

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-ffreestanding -fno-pic -fno-stack-protector -fno-common $(ARCH_CFLAGS) \
	-Ihv/include -Iarch/$(ARCH)/include -Idrivers/include \
	-isystem $(NEWLIB)/include -isystem $(LIBFDT)/include -MMD -MP

HV_SRCS := $(wildcard hv/*.c) $(wildcard arch/$(ARCH)/*.c) $(wildcard arch/$(ARCH)/*.S) \
	$(addprefix drivers/,$(DRIVERS)) $(wildcard boot/$(HV_BOOT)/*.c) $(wildcard boot/$(HV_BOOT)/*.S)
HV_OBJS := $(patsubst %,$(O)/obj/%.o,$(HV_SRCS))

# A port still being built names the guests it has so far (ARCH_GUESTS in arch.mk).
ALL_GUESTS := hello ticker intruder noisy smp resetter resetrace cpuview blk bench hostile hypercall
GUESTS := $(or $(ARCH_GUESTS),$(ALL_GUESTS))
GUEST_BINS := $(patsubst %,$(O)/guests/%.bin,$(GUESTS))
# A bundle holds every guest of the port: it is rebuilt when the list changes, too.
GUEST_LIST := $(O)/guests.list
$(shell mkdir -p $(O) && echo '$(GUESTS)' | cmp -s - $(GUEST_LIST) || echo '$(GUESTS)' > $(GUEST_LIST))
# Files every bundle carries besides the guests (an initrd for the initrd test).
BUNDLE_DATA := test/e2e/data/initrd.txt
CONFIGS := $(basename $(notdir $(wildcard configs/*.dts) $(wildcard test/e2e/configs/*.dts)))
# Damaged bundles found by fuzzing, booted as they are: the hv must refuse each.
REPRO_BUNDLES := $(patsubst test/unit/data/bundle-%.cpio,repro-%,$(wildcard test/unit/data/bundle-*.cpio))
CONFIGS += $(REPRO_BUNDLES)
# Hostile-guest rows (test/e2e/hostile/): one config per attack, made from one template. The
# attacks are the configs named hostile-* in tests.tbl and in pending.tbl (rows waiting for
# an hv fix); the neighbour's fixed address is per architecture (inside RAM, clear of the hv).
HOSTILE_NEIGHBOUR_aarch64 := 0x50000000
HOSTILE_NEIGHBOUR_x86_64 := 0x10000000
HOSTILE_NEIGHBOUR_s390x := 0x10000000
HOSTILE_CONFIGS := $(sort $(shell awk '$$2 ~ /^hostile-/ { print $$2 }' \
	test/e2e/tests.tbl test/e2e/pending.tbl))
CONFIGS += $(HOSTILE_CONFIGS)
BUNDLES := $(patsubst %,$(O)/bundles/%.cpio,$(CONFIGS))

.PHONY: all deps hv guests bundles efi mb2 isos bochs e2e-bochs run gdb bench test unit e2e check-config readme-config \
	clean distclean print-emulator print-deps
all: hv guests bundles $(if $(EFI_LOADER),efi)

deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	scripts/setup-deps.sh $(ARCH)

hv: $(O)/hv.bin

$(O)/obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/hv.elf: $(HV_OBJS) $(HV_LDS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T $(HV_LDS) -o $@ $(HV_OBJS) \
		$(LIBFDT)/lib/libfdt.a $(NEWLIB)/lib/libc.a -lgcc

$(O)/hv.bin: $(O)/hv.elf
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -O binary $< $@

guests: $(GUEST_BINS)
$(GUEST_BINS): $(DEPS_STAMP) FORCE
	$(Q)$(MAKE) --no-print-directory -C guests ARCH=$(ARCH) O=$(abspath $(O)/guests) GUESTS="$(GUESTS)" \
		CROSS_COMPILE=$(CROSS_COMPILE) NEWLIB=$(abspath $(NEWLIB)) LIBFDT=$(abspath $(LIBFDT)) V=$(V)
FORCE:

$(O)/configs/%.dtb: configs/%.dts
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  DTC     $<")
	$(Q)dtc -q -I dts -O dtb -o $@ $<
$(O)/configs/%.dtb: test/e2e/configs/%.dts
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  DTC     $<")
	$(Q)dtc -q -I dts -O dtb -o $@ $<

$(O)/configs/hostile-%.dtb: test/e2e/hostile/hostile.dts.in
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  DTC     $@ (from $<)")
	$(Q)sed -e 's/@ATTACK@/$*/g' -e 's/@NEIGHBOUR@/$(HOSTILE_NEIGHBOUR_$(ARCH))/g' $< | \
		dtc -q -I dts -O dtb -o $@ -

bundles: $(BUNDLES)
# What a port boots from besides the bundle (s390x: an IPL volume per config, arch.mk).
all: $(ARCH_BOOT_IMAGES)
$(O)/bundles/%.cpio: $(O)/configs/%.dtb $(GUEST_BINS) $(GUEST_LIST) $(BUNDLE_DATA) scripts/mkbundle.sh
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BUNDLE  $@")
	$(Q)scripts/mkbundle.sh $@ $< $(GUEST_BINS) $(BUNDLE_DATA)

$(O)/bundles/repro-%.cpio: test/unit/data/bundle-%.cpio
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# The linux-debian rows: Debian's own kernel package for the arch, fetched from the apt
# source, and an initrd of its virtio modules (scripts/debian-kernel.sh). Only `make test`
# needs them.
DEBIAN_DIR := build/deps/debian-kernel-$(ARCH)
DEBIAN_FILES := $(DEBIAN_DIR)/vmlinuz-debian $(DEBIAN_DIR)/initrd-debian.cpio
$(DEBIAN_FILES) &: scripts/debian-kernel.sh test/e2e/linux/init.c
	$(Q)scripts/debian-kernel.sh $(DEBIAN_DIR) $(ARCH)
LINUX_CONFIGS := $(basename $(notdir $(wildcard test/e2e/linux/*.dts)))
.SECONDARY: $(patsubst %,$(O)/configs/%.dtb,$(LINUX_CONFIGS))
$(O)/configs/linux-%.dtb: test/e2e/linux/linux-%.dts test/e2e/linux/linux.dtsi
	@mkdir -p $(dir $@)
	$(Q)cpp -nostdinc -undef -x assembler-with-cpp -P -DARCH_$(ARCH) -Itest/e2e/linux $< | \
		dtc -q -I dts -O dtb -o $@ -
$(O)/bundles/linux-%.cpio: $(O)/configs/linux-%.dtb $(GUEST_BINS) $(DEBIAN_FILES)
	@mkdir -p $(dir $@)
	$(Q)scripts/mkbundle.sh $@ $< $(GUEST_BINS) $(DEBIAN_FILES)
# (a port without the Linux rows yet says ARCH_NO_LINUX := 1)
E2E_EXTRA_BUNDLES := $(if $(ARCH_NO_LINUX),,$(patsubst %,$(O)/bundles/%.cpio,$(LINUX_CONFIGS)) \
	$(if $(EFI_LOADER),$(patsubst %,$(O)/esp/%/EFI/BOOT/bundle.cpio,$(LINUX_CONFIGS))) \
	$(if $(BIOS_LOADER),$(O)/iso/linux-debian-nodisk.iso))

# ---- UEFI: the loader, its firmware variables, and one ESP directory per config ----
EFI_APP := $(O)/efi/hvboot.efi
ESPS := $(patsubst %,$(O)/esp/%/EFI/BOOT/bundle.cpio,$(CONFIGS))
efi: $(EFI_APP) $(O)/efi/vars.fd $(ESPS)
$(EFI_APP): $(DEPS_STAMP) $(O)/hv.bin FORCE
	$(Q)$(MAKE) --no-print-directory -C boot/$(EFI_LOADER) O=$(abspath $(O)/efi) \
		ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) LIBFDT=$(abspath $(LIBFDT)) HV_BIN=$(abspath $(O)/hv.bin) V=$(V)
# The firmware's variables: a copy of the template, opened with snapshot=on (QEMU_EFI_BOOT),
# so that no run sees what an earlier one wrote to them (boot entries of other devices).
$(O)/efi/vars.fd: $(EFI_VARS) | $(EFI_APP)
	$(Q)cp $(EFI_VARS) $@
$(O)/esp/%/EFI/BOOT/bundle.cpio: $(O)/hv.bin $(O)/bundles/%.cpio $(EFI_APP) scripts/efi-esp.sh
	$(Q)scripts/efi-esp.sh $(O)/esp/$* $(EFI_ESP_HV) $(O)/bundles/$*.cpio $(EFI_APP) $(EFI_BOOT_NAME)

# ---- BIOS PCs (x86_64): the GRUB multiboot2 loader, and one bootable ISO per config ----
ifneq ($(BIOS_LOADER),)
MB2_APP := $(O)/mb2/hvboot.mb2
ISOS := $(patsubst %,$(O)/iso/%.iso,$(filter-out $(HOSTILE_CONFIGS),$(CONFIGS)))   # QEMU only
all: mb2
mb2: $(MB2_APP)
$(MB2_APP): $(DEPS_STAMP) $(O)/hv.bin FORCE
	$(Q)$(MAKE) --no-print-directory -C boot/$(BIOS_LOADER) O=$(abspath $(O)/mb2) \
		CROSS_COMPILE=$(CROSS_COMPILE) LIBFDT=$(abspath $(LIBFDT)) HV_BIN=$(abspath $(O)/hv.bin) V=$(V)
isos: $(ISOS)
$(O)/iso/%.iso: $(MB2_APP) $(O)/bundles/%.cpio scripts/mkiso.sh
	@$(if $(Q),echo "  ISO     $@")
	$(Q)scripts/mkiso.sh $@ $(MB2_APP) $(O)/bundles/$*.cpio
endif

# ---- running ----
DEMO ?= demo
SMP ?= 2
ifeq ($(BOOT),efi)
QEMU_CMD = $(QEMU) $(QEMU_MACHINE) -smp $(SMP) -nographic $(call QEMU_EFI_BOOT,$(DEMO))
else
QEMU_CMD = $(QEMU) $(QEMU_MACHINE) -smp $(SMP) -nographic $(call QEMU_BOOT,$(O)/bundles/$(DEMO).cpio)
endif
# DISK=image: the physical disk block slices live on (e.g. DEMO=blk-write DISK=disk.img),
# on the machine's usual bus (QEMU_DISK_BUS: virtio-mmio on arm64, PCI on x86), or with
# DISK_BUS=pci as a virtio-blk-pci device
DISK_BUS ?= $(QEMU_DISK_BUS)
DISK_DEVICE := virtio-blk-device
ifeq ($(DISK_BUS),pci)
DISK_DEVICE := virtio-blk-pci,disable-legacy=on
endif
ifneq ($(DISK),)
QEMU_CMD += -drive if=none,id=d0,file=$(DISK),format=raw -device $(DISK_DEVICE),drive=d0
endif

run: all
	@echo "Booting $(DEMO) on $(ARCH); quit with Ctrl-A x, switch console input with Ctrl-T n"
	$(QEMU_CMD)

# The exit-cost reference stub (arch.mk or test/bench/<arch>/bench.mk: BENCH_STUB_SRC,
# BENCH_STUB_BOOT; a port with another stub also names it BENCH_STUB and builds it).
BENCH_STUB ?= $(O)/bench/el2stub.bin
BENCH_STUB_CONSOLE ?= virtio
$(O)/bench/el2stub.bin: $(BENCH_STUB_SRC) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		-Wl,-Ttext=0x40200000 -o $(@:.bin=.elf) $<
	$(Q)$(OBJCOPY) -O binary $(@:.bin=.elf) $@

# How a bench configuration's boot medium is made (a port may say otherwise: BENCH_PREPARE),
# and what else the port tells test/bench/run.py (BENCH_FLAGS).
BENCH_PREPARE ?= scripts/efi-esp.sh $(O)/esp/{config} $(EFI_ESP_HV) {bundle} $(EFI_APP) $(EFI_BOOT_NAME)
bench: all $(BENCH_STUB)
	python3 test/bench/run.py --out $(O) --qemu "$(QEMU) $(QEMU_MACHINE)" \
		--boot "$(call QEMU_BOOT,{bundle})" --prepare "$(BENCH_PREPARE)" $(BENCH_FLAGS) \
		--disk-device "$(DISK_DEVICE)" --bare-qemu "$(QEMU) $(QEMU_BARE)" \
		--stub-boot "$(call BENCH_STUB_BOOT,{guest})" --stub-console $(BENCH_STUB_CONSOLE)$(if $(RUNS), --runs $(RUNS))

gdb: all
	@echo "Waiting for gdb on :1234:  gdb-multiarch $(O)/hv.elf -ex 'target remote :1234'"
	$(QEMU_CMD) -s -S

ifneq ($(BIOS_LOADER),)
# Bochs (x86_64): the console is this terminal, line by line (Enter sends the line).
BOCHS_CPU ?= corei7_haswell_4770
BOCHS_RUN = scripts/bochs-run.sh --cpu $(BOCHS_CPU)
bochs: all $(O)/iso/$(DEMO).iso
	@echo "Booting $(DEMO) under Bochs ($(BOCHS_CPU)); it ends when the hv powers off (or Ctrl-C)"
	$(BOCHS_RUN) -smp $(SMP) $(O)/iso/$(DEMO).iso

# The end-to-end rows that run under Bochs: none with a disk (Bochs has no virtio-blk).
# ONLY=regex picks among all rows instead.
BOCHS_ROWS ?= demo intruder-read intruder-write intruder-hv-uart timeshare console-switch \
	config-cpu-twice config-no-image config-initrd config-overlap-x86 noisy smp reset \
	intruder-pmu intruder-msr initrd linux-debian-nodisk config-damaged-propname \
	config-damaged-struct config-damaged-totalsize reset-race-hammer reset-race-both reset-race-lastoff \
	hypercall
BOCHS_EMPTY :=
BOCHS_ONLY = $(if $(ONLY),$(ONLY),$(subst $(BOCHS_EMPTY) $(BOCHS_EMPTY),|,$(strip $(BOCHS_ROWS))))
e2e-bochs: all isos
	python3 test/e2e/run.py --table test/e2e/tests.tbl --qemu "$(BOCHS_RUN)" \
		--boot "$(O)/iso/{config}.iso" --arch $(ARCH) --bundles $(O)/bundles \
		--logs $(O)/test-logs/bochs-$(BOCHS_CPU) --only '^($(BOCHS_ONLY))$$'
else
bochs e2e-bochs:
	@echo "make $@: Bochs is for ARCH=x86_64" >&2; exit 2
endif

# ---- host side: config checker and unit tests ----
# The unit tests of arch-neutral code use arm64 images as fixtures whatever ARCH is; the
# config checker checks images of the ARCH it was built for (build/host/hvcheck-<arch>).
HOST_FLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Ihv/include -Idrivers/include \
	-fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := $(HOST_FLAGS) -Iarch/aarch64/include
HOST_NEUTRAL := hv/config.c hv/config_schema.c hv/bundle.c hv/schedule.c hv/virtq.c hv/blk.c
HOST_CORE := $(HOST_NEUTRAL) arch/aarch64/image.c
HOST_IMAGE_x86_64 := arch/x86_64/image.c arch/x86_64/bzimage.c
HOST_IMAGE_aarch64 := arch/aarch64/image.c
HOST_IMAGE_s390x := arch/s390x/image.c
HVCHECK := $(HOSTO)/hvcheck-$(ARCH)

$(HVCHECK): tools/hvcheck.c $(HOST_NEUTRAL) $(HOST_IMAGE_$(ARCH)) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)cc $(HOST_FLAGS) -Iarch/$(ARCH)/include -Itest/unit -o $@ $^ -lfdt

$(HOSTO)/unit-%: test/unit/%.c $(HOST_CORE) test/unit/unit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)cc $(HOST_CFLAGS) -Itest/unit -o $@ $< $(HOST_CORE) -lfdt

# The virtio-ccw transport over the device model, with the arch services stubbed.
$(HOSTO)/unit-virtio-ccw: test/unit/virtio/ccw.c hv/virtio_ccw.c hv/virtio_dev.c hv/virtq.c test/unit/unit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)cc $(HOST_CFLAGS) -Itest/unit -o $@ test/unit/virtio/ccw.c hv/virtio_ccw.c hv/virtio_dev.c hv/virtq.c

# Pure code of ports still being built (ACPI tables for x86_64) is tested on the host too.
$(HOSTO)/unit-x86_64-%: test/unit/x86_64/%.c arch/x86_64/%.c test/unit/unit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)cc -std=gnu11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
		-Iarch/x86_64/include -Itest/unit -o $@ test/unit/x86_64/$*.c arch/x86_64/$*.c

# ... the s390x port's walk through a guest's DAT tables (with its storage helpers) ...
$(HOSTO)/unit-s390x-guest_dat: test/unit/s390x/guest_dat.c arch/s390x/guest_dat.c arch/s390x/guest_mem.c test/unit/unit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)cc -std=gnu11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
		-Iarch/s390x -Iarch/s390x/include -Ihv/include -Itest/unit -o $@ test/unit/s390x/guest_dat.c \
		arch/s390x/guest_dat.c arch/s390x/guest_mem.c

# ... and pure code of the aarch64 port (the guest's CPU view).
$(HOSTO)/unit-aarch64-%: test/unit/aarch64/%.c arch/aarch64/%.c test/unit/unit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)cc -std=gnu11 -O1 -g -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
		-Iarch/aarch64/include -Itest/unit -o $@ test/unit/aarch64/$*.c arch/aarch64/$*.c

UNIT_TESTS := $(patsubst test/unit/%.c,$(HOSTO)/unit-%,$(wildcard test/unit/*.c)) \
	$(HOSTO)/unit-aarch64-cpu_view $(HOSTO)/unit-virtio-ccw $(HOSTO)/unit-s390x-guest_dat \
	$(HOSTO)/unit-x86_64-acpi $(HOSTO)/unit-x86_64-bzimage $(HOSTO)/unit-x86_64-insn

check-config: $(HVCHECK) guests
	@test -n "$(CONFIG)" || { echo "usage: make check-config CONFIG=file.dts [SMP=n]"; exit 2; }
	$(Q)dtc -q -I dts -O dtb -o $(HOSTO)/check.dtb $(CONFIG)
	$(Q)scripts/mkbundle.sh $(HOSTO)/check.cpio $(HOSTO)/check.dtb $(GUEST_BINS) $(BUNDLE_DATA)
	$(HVCHECK) --cpus $(SMP) --bundle $(HOSTO)/check.cpio $(HOSTO)/check.dtb

# The README's configuration reference is generated from the schema (hv/config_schema.c).
readme-config: $(HVCHECK)
	scripts/readme-config.sh $(HVCHECK)

# For scripts/setup-deps.sh: what arch.mk says the port needs.
print-deps:
	@echo "DEB_ARCH='$(DEB_ARCH)' TRIPLE='$(TRIPLE)' NEWLIB_HOST='$(NEWLIB_HOST)'"
	@echo "NEWLIB_CFLAGS='$(NEWLIB_CFLAGS)' APT_PACKAGES='$(APT_PACKAGES)'"
	@echo "DEPS_NEWLIB_PREP='$(DEPS_NEWLIB_PREP)' DEPS_HOOK='$(DEPS_HOOK)'"

# For test/run.sh: the emulator command line with a {bundle} placeholder.
print-emulator:
	@echo "QEMU_CMDLINE='$(QEMU) $(QEMU_MACHINE)'"
ifneq ($(BIOS_LOADER),)
	@echo "BOCHS_CMDLINE='$(BOCHS_RUN)'"
	@echo "BOCHS_BOOTARGS='$(O)/iso/{config}.iso'"
	@echo "BOCHS_ROWS='$(subst $(BOCHS_EMPTY) $(BOCHS_EMPTY),|,$(strip $(BOCHS_ROWS)))'"
endif
	@echo "QEMU_BOOTARGS='$(call QEMU_BOOT,{bundle})'"
	@echo "QEMU_EFI_BOOTARGS='$(call QEMU_EFI_BOOT,{config})'"
	@echo "QEMU_DISK_BUS='$(QEMU_DISK_BUS)'"
	@echo "E2E_ROWS='$(subst $(BOCHS_EMPTY) $(BOCHS_EMPTY),|,$(strip $(E2E_ROWS)))'"

include test/fuzz/fuzz.mk

unit: $(UNIT_TESTS) $(HVCHECK) all
# Without ARCH= on the command line, `make test` tests every port (scripts/test-all.sh).
ifeq ($(origin ARCH),file)
test:
	@mkdir -p build
	scripts/test-all.sh $(notdir $(wildcard arch/*))
else
test: $(UNIT_TESTS) $(HVCHECK) $(FUZZ_SMOKE_BINS) all $(E2E_EXTRA_BUNDLES) $(if $(BIOS_LOADER),isos)
	UNIT_TESTS="$(UNIT_TESTS)" FUZZ_SMOKE_BINS="$(FUZZ_SMOKE_BINS)" test/run.sh $(ARCH) $(O)
endif

clean:
	rm -rf build/$(ARCH) $(HOSTO)
distclean:
	rm -rf build

# Keep generated .dtb files: make would delete them as intermediates after the run.
.SECONDARY: $(patsubst %,$(O)/configs/%.dtb,$(CONFIGS))

-include $(HV_OBJS:.o=.d)
