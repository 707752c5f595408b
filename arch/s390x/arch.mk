# s390x: a SIE hypervisor for z/Architecture, IPLed from an FBA DASD under Hercules.
CROSS_COMPILE ?= s390x-linux-gnu-
# Dependencies (scripts/setup-deps.sh). newlib has no s390 entry in configure.host
# (newlib-prep.sh adds an empty one) and needs the IEEE byte order spelled out. Soft float,
# as the hv (below); gcc 12 then fails on libm's nearbyint ("unable to generate reloads" for
# the rint builtin), hence the -fno-builtin-*.
DEB_ARCH := s390x
TRIPLE := s390x-linux-gnu
NEWLIB_HOST := s390x-none-elf
NEWLIB_CFLAGS := -D__IEEE_BIG_ENDIAN -march=z10 -msoft-float -fno-builtin-rint -fno-builtin-rintf -fno-builtin-nearbyint -fno-builtin-nearbyintf
APT_PACKAGES := gcc-s390x-linux-gnu binutils-s390x-linux-gnu hercules
DEPS_NEWLIB_PREP := arch/s390x/newlib-prep.sh
# z10 instructions only: Hercules 3.13 has no vector facility (never build for z13+).
# No floating point in the hv: SIE leaves the FP registers to the host, which would have
# to save the guest's around every use.
ARCH_CFLAGS := -march=z10 -msoft-float -mno-backchain -D__IEEE_BIG_ENDIAN
HV_BOOT := s390-ipl
DRIVERS := uart.c sclp.c ebcdic.c css.c fba.c disk.c
HV_LDS := arch/s390x/hv.ld
# Guests: s390 IPL images (loaded at 0, IPL PSW first), soft float as the hv.
GUEST_CFLAGS := -march=z10 -msoft-float -mno-backchain -D__IEEE_BIG_ENDIAN
GUEST_LDFLAGS := -Wl,-z,noexecstack
# The guests ported so far (the others use aarch64 or x86 instructions directly).
ARCH_GUESTS := hello ticker intruder noisy smp resetter resetrace blk bench hypercall dat s390insn
# The emulated machine: Hercules (QEMU's s390x has no SIE), driven by scripts/hercules-run.py
# with QEMU-style options; each config boots from its own IPL volume (hv + bundle).
QEMU := scripts/hercules-run.py
QEMU_MACHINE := -m 512
QEMU_BOOT = $(if $(filter {bundle},$(1)),$(O)/dasd/{config}.img,$(O)/dasd/$(notdir $(basename $(1))).img)
QEMU_DISK_BUS := fba
ARCH_NO_LINUX := 1
ARCH_BOOT_IMAGES = $(patsubst %,$(O)/dasd/%.img,$(CONFIGS))
$(O)/dasd/%.img: $(O)/hv.bin $(O)/bundles/%.cpio scripts/mkdasd.py
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  DASD    $@")
	$(Q)scripts/mkdasd.py $@ $(O)/hv.bin $(O)/bundles/$*.cpio
# The end-to-end rows that run on this port so far.
E2E_ROWS := demo intruder-read intruder-write intruder-high config-cpu-twice config-no-image config-initrd config-damaged-propname \
	config-damaged-struct config-damaged-totalsize sclp-console dat s390insn noisy smp reset \
	reset-race-hammer reset-race-both reset-race-lastoff timeshare hypercall \
	blk-write blk-verify blk-readonly blk-abuse blk-durable blk-durable-verify config-bad-slice
# make bench: the bare baseline is the bench guest loaded by Hercules itself (.ins file).
QEMU_BARE := -m 512
BENCH_STUB :=
BENCH_PREPARE = scripts/mkdasd.py $(O)/dasd/{config}.img $(O)/hv.bin {bundle}
BENCH_FLAGS := --bare-kind hercules \
	--no-stub "no SIE reference stub for s390x yet" \
	--no-blk "Hercules has no virtio-blk for a bare guest"
