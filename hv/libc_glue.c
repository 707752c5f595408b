/* The syscall layer newlib expects, for the hv itself: output goes to the console as [hv]
 * lines, a small heap for the rare newlib path that allocates, and no files. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "console.h"
#include "hv.h"

#define HEAP_SIZE KIB(64)

static uint8_t heap[HEAP_SIZE] __attribute__((aligned(16)));
static size_t heap_used;

void *_sbrk(ptrdiff_t incr)
{
    if (incr < 0 || (size_t)incr > HEAP_SIZE - heap_used) {
        errno = ENOMEM;
        return (void *)-1;
    }
    void *p = heap + heap_used;
    heap_used += incr;
    return p;
}
/* newlib's x86_64-none-elf build calls sbrk by its plain name. */
void *sbrk(ptrdiff_t incr) __attribute__((alias("_sbrk")));

int _write(int fd, const char *buf, size_t len)
{
    (void)fd;
    console_hv_line(buf, len && buf[len - 1] == '\n' ? len - 1 : len);
    return (int)len;
}

int _read(int fd, char *buf, size_t len) { (void)fd, (void)buf, (void)len; errno = EBADF; return -1; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd, (void)off, (void)whence; return -1; }
int _isatty(int fd) { (void)fd; return 1; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid, (void)sig; errno = EINVAL; return -1; }
void _exit(int status) { hv_panic("exit(%d) called in the hypervisor", status); }

/* libfdt from Debian is built with the stack protector. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ull;
void __stack_chk_fail(void) { hv_panic("stack smashing detected"); }

void hv_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    hv_log("PANIC on CPU %u: %s", arch_cpu_id(), buf);
    arch_halt();
}
