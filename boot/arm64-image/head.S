/* The arm64 Image header (Linux boot protocol): QEMU -kernel and U-Boot booti enter here
 * at EL2 with the MMU off and x0 = physical address of the firmware device tree. */
    .section .text.head, "ax"
    .globl _head
_head:
    b image_entry              /* code0 */
    .long 0                    /* code1 */
    .quad 0x200000             /* text_offset: the hv is linked at RAM base + 2 MiB, clear of
                                  the DTB firmware puts at the RAM base */
    .quad _image_size          /* image_size, bss included */
    .quad 0x2                  /* flags: little-endian, 4K pages, place near RAM base */
    .quad 0, 0, 0
    .ascii "ARM\x64"
    .long 0

image_entry:
    adrp x1, arm64_image_boot
    add x1, x1, :lo12:arm64_image_boot
    b arch_early_entry

/* arch_early_entry calls this with the DTB once the hv's own stage 1 is on. */
    .text
arm64_image_boot:
    adrp x1, arch_name
    add x1, x1, :lo12:arch_name
    b hv_boot_fdt

    .section .rodata
arch_name:
    .asciz "aarch64"
