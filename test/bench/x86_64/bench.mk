# make bench ARCH=x86_64 (test/bench/run.py): the bare machine and the exit-cost stub. Kept
# beside the benchmark rather than in arch/x86_64/arch.mk; the variables mean the same there.
# A bare guest runs on QEMU's microvm with ACPI, the machine a partition imitates (see
# test/e2e/x86_64/bare-qemu.sh), with the CPU model the hv gets.
QEMU_BARE := -M microvm,acpi=on,rtc=on -accel tcg -cpu qemu64,+svm,+npt,+pdpe1gb,+monitor -m 1G \
	-nodefaults -no-user-config -global virtio-mmio.force-legacy=false
# The stub: a multiboot image on the hv's own machine (q35, same -cpu; SeaBIOS boots it),
# its result on COM1, QEMU ended through isa-debug-exit. It carries its guest itself.
BENCH_STUB := $(O)/bench/svmstub.bin
BENCH_STUB_SRC := test/bench/x86_64/svmstub.S test/bench/x86_64/svmstub.c
BENCH_STUB_BOOT = -kernel $(BENCH_STUB) -device isa-debug-exit,iobase=0xf4,iosize=4 -net none -no-reboot
BENCH_STUB_CONSOLE := serial

$(BENCH_STUB): $(BENCH_STUB_SRC) test/bench/x86_64/svmstub.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -m64 -O2 -Wall -Wextra -ffreestanding -fno-pic -fno-stack-protector -mno-red-zone \
		-mgeneral-regs-only -fno-asynchronous-unwind-tables -Iarch/x86_64/include -nostdlib -static -no-pie \
		-Wl,--build-id=none -Wl,--no-warn-rwx-segments -T test/bench/x86_64/svmstub.ld \
		-o $(@:.bin=.elf) $(BENCH_STUB_SRC)
	$(Q)$(OBJCOPY) -O binary $(@:.bin=.elf) $@
