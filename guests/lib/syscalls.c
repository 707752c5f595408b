/* newlib system-call layer: fds 0-2 are the virtio console, no files. */
#include <errno.h>
#include <sys/stat.h>
#include "internal.h"

#undef errno
extern int errno;

static char heap[128 * 1024] __attribute__((aligned(16)));
static size_t heap_used;

void *_sbrk(ptrdiff_t incr)
{
	void *p = heap + heap_used;

	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > sizeof heap - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_used += incr;
	return p;
}

int _write(int fd, const char *buf, size_t n)
{
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	return vcon_write(buf, n);
}

int _read(int fd, char *buf, size_t n)
{
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	return vcon_read(buf, n);
}

void __attribute__((noreturn)) _exit(int status)
{
	(void)status;	/* PSCI SYSTEM_OFF and ACPI soft-off have no exit code */
	vcon_flush();
	arch_poweroff();
}

int _isatty(int fd) { return fd >= 0 && fd <= 2; }
int _close(int fd) { (void)fd; errno = EBADF; return -1; }
int _open(const char *p, int f, int m) { (void)p; (void)f; (void)m; errno = ENOENT; return -1; }
int _lseek(int fd, int off, int wh) { (void)fd; (void)off; (void)wh; errno = ESPIPE; return -1; }
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }

int _fstat(int fd, struct stat *st)
{
	if (!_isatty(fd)) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;	/* makes newlib line-buffer the console */
	return 0;
}

#if defined(__x86_64__) || defined(__s390x__)
/* newlib for x86_64-none-elf and s390x-none-elf is configured with
 * MISSING_SYSCALL_NAMES: its reentrant wrappers call the plain names. */
void *sbrk(ptrdiff_t) __attribute__((alias("_sbrk")));
int write(int, const char *, size_t) __attribute__((alias("_write")));
int read(int, char *, size_t) __attribute__((alias("_read")));
int isatty(int) __attribute__((alias("_isatty")));
int close(int) __attribute__((alias("_close")));
int lseek(int, int, int) __attribute__((alias("_lseek")));
int fstat(int, struct stat *) __attribute__((alias("_fstat")));
int getpid(void) __attribute__((alias("_getpid")));
int kill(int, int) __attribute__((alias("_kill")));
int open(const char *, int, int) __attribute__((alias("_open")));
#endif

/* libfdt is built with the stack protector (aarch64) */
unsigned long __stack_chk_guard = 0x5a17c0de5a17c0deul;

void __attribute__((noreturn)) __stack_chk_fail(void)
{
	rt_raw_puts("guest: stack smashing detected\n");
	arch_poweroff();
}
