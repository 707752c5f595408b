# x86_64: AMD SVM (QEMU) / Intel VMX (Bochs) hypervisor, booted from UEFI as hvboot.efi with
# the hv image inside it (boot/efi), or on a BIOS PC (Bochs) by GRUB's multiboot2 as
# hvboot.mb2, likewise with the hv inside (boot/multiboot2; `make isos`, `make bochs`).
CROSS_COMPILE ?=
# Dependencies (scripts/setup-deps.sh): the host's own gcc; no red zone in newlib (the
# guests take interrupts on the stack they interrupt, which would clobber it). Bochs with its
# headless display and ROM BIOS, the VGA ROM and grub-mkrescue's needs: BIOS boot under Bochs.
DEB_ARCH := amd64
TRIPLE := x86_64-linux-gnu
NEWLIB_HOST := x86_64-none-elf
NEWLIB_CFLAGS := -mno-red-zone
APT_PACKAGES := gcc binutils qemu-system-x86 gnu-efi ovmf \
	bochs bochs-term bochsbios vgabios grub-pc-bin grub-common xorriso mtools
ARCH_CFLAGS := -mno-red-zone -mcmodel=small -fno-pie -no-pie -mgeneral-regs-only
HV_BOOT := fdt
DRIVERS := uart.c ns16550.c disk.c virtio_blk.c pci.c
HV_LDS := arch/x86_64/hv.ld
# Guests: bzImages that find their devices through ACPI. No red zone: interrupts are taken on
# the interrupted stack. SSE is on (crt0).
GUEST_CFLAGS := -mno-red-zone -fno-pie
GUEST_LDFLAGS := -Wl,-z,noexecstack
# The emulated machine: q35, TCG, a CPU model with SVM and nested paging. One TCG thread
# for all vCPUs: with QEMU 7.2's multi-threaded TCG, a VMRUN on one vCPU now and then
# comes back with the host's own state in the guest's VMCB while another vCPU is busy
# (4 of 10 runs of hostile-sgi-storm; 0 of 11 with thread=single; see README, Known limits).
QEMU := qemu-system-x86_64
QEMU_MACHINE := -accel tcg,thread=single -M q35 -cpu qemu64,+svm,+npt,+pdpe1gb,+monitor -m 1G -global virtio-mmio.force-legacy=false
# UEFI is the only boot path on QEMU: OVMF and boot/efi.
EFI_LOADER := efi
EFI_CODE := /usr/share/OVMF/OVMF_CODE.fd
EFI_VARS := /usr/share/OVMF/OVMF_VARS.fd
QEMU_EFI_BOOT = -drive if=pflash,format=raw,readonly=on,file=$(EFI_CODE) \
	-drive if=pflash,format=raw,file=$(O)/efi/vars.fd,snapshot=on \
	-drive file=fat:rw:$(O)/esp/$(1),format=raw,media=disk -net none
# (the test runner asks with {bundle} and names the ESP by {config})
QEMU_BOOT = $(call QEMU_EFI_BOOT,$(if $(filter {bundle},$(1)),{config},$(notdir $(basename $(1)))))
EFI_BOOT_NAME := BOOTX64.EFI
EFI_ESP_HV := -
# BIOS PCs: GRUB's multiboot2 loads boot/multiboot2 from an ISO per config.
BIOS_LOADER := multiboot2
# The physical disk of a PC: virtio-blk-pci (modern).
QEMU_DISK_BUS := pci
