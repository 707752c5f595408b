# aarch64: EL2 hypervisor, booted as an arm64 Image (QEMU -kernel, U-Boot booti).
CROSS_COMPILE ?= aarch64-linux-gnu-
# Dependencies (scripts/setup-deps.sh): Debian architecture, compiler triple, newlib's host,
# the apt packages (libc6-dev-arm64-cross: the static /init of the Debian-kernel rows), and
# GNU-EFI for arm64 with the AAVMF firmware.
DEB_ARCH := arm64
TRIPLE := aarch64-linux-gnu
NEWLIB_HOST := aarch64-none-elf
NEWLIB_CFLAGS :=
APT_PACKAGES := gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
DEPS_HOOK := boot/efi/get-gnu-efi.sh
ARCH_CFLAGS := -mgeneral-regs-only -mstrict-align -mno-outline-atomics
HV_BOOT := arm64-image
DRIVERS := uart.c pl011.c disk.c virtio_blk.c pci.c
HV_LDS := arch/aarch64/hv.ld
# Guests: arm64 Images that find their devices in the DTB (libfdt).
GUEST_CFLAGS = -mstrict-align -mno-outline-atomics -I$(LIBFDT)/include
GUEST_LIBS = $(LIBFDT)/lib/libfdt.a
# The emulated machine: EL2 on, GICv3, PSCI through SMC to QEMU's firmware model.
QEMU := qemu-system-aarch64
QEMU_MACHINE := -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -m 1G \
	-global virtio-mmio.force-legacy=false
QEMU_BOOT = -kernel $(O)/hv.bin -initrd $(1)
# The same machine without EL2, for guests booted bare (benchmarks): PSCI is QEMU's, over HVC.
QEMU_BARE := -M virt,gic-version=3 -cpu cortex-a57 -m 1G -global virtio-mmio.force-legacy=false
# The exit-cost reference: a minimal EL2 stub that answers HVCs, the guest beside it.
BENCH_STUB_SRC := test/bench/aarch64/el2stub.S
BENCH_STUB_BOOT = -kernel $(O)/bench/el2stub.bin -device loader,file=$(1),addr=0x40080000,force-raw=on
# UEFI: the GNU-EFI loader in boot/efi and QEMU's AAVMF firmware.
EFI_LOADER := efi
EFI_CODE := /usr/share/AAVMF/AAVMF_CODE.fd
EFI_VARS := /usr/share/AAVMF/AAVMF_VARS.fd
# The ESP is a legacy-only virtio-blk-pci: the firmware boots from it, the hv (modern virtio
# only) never takes it for the disk its block slices live on.
QEMU_EFI_BOOT = -drive if=pflash,format=raw,readonly=on,file=$(EFI_CODE) \
	-drive if=pflash,format=raw,file=$(O)/efi/vars.fd,snapshot=on \
	-drive if=none,id=esp,file=fat:rw:$(O)/esp/$(1),format=raw \
	-device virtio-blk-pci,drive=esp,disable-modern=on -net none
EFI_BOOT_NAME := BOOTAA64.EFI
EFI_ESP_HV = $(O)/hv.bin
QEMU_DISK_BUS := mmio
