/* /init of the initrd the Debian-kernel test boots (test/e2e/linux): loads the virtio
 * modules from the initrd's root, then on the partition console (hvc0) reports the kernel,
 * writes the runner's slice pattern over the first sectors of its block slice (vda), reads
 * them back, and powers off. Built static with the host's gcc: the partition has nothing
 * else. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SECTORS 64

static const char *const modules[] = { "virtio.ko", "virtio_ring.ko", "virtio_mmio.ko",
				       "virtio_console.ko", "virtio_blk.ko" };
#define NMOD (sizeof modules / sizeof modules[0])

/* Sector n of the slice: "debian sector n\n" repeated over 512 bytes (test/e2e/run.py). */
static void pattern(unsigned n, char *buf)
{
	char line[64];
	int len = snprintf(line, sizeof line, "debian sector %u\n", n);

	for (int i = 0; i < 512; i++)
		buf[i] = line[i % len];
}

static int load_modules(void)
{
	int done[NMOD] = { 0 }, loaded = 0, progress = 1;

	/* in whatever order their dependencies allow */
	while (progress) {
		progress = 0;
		for (unsigned i = 0; i < NMOD; i++) {
			if (done[i])
				continue;
			int fd = open(modules[i], O_RDONLY | O_CLOEXEC);
			if (fd >= 0 && syscall(SYS_finit_module, fd, "", 0) == 0) {
				done[i] = progress = 1;
				loaded++;
			}
			if (fd >= 0)
				close(fd);
		}
	}
	return loaded;
}

static void block_test(void)
{
	static char buf[SECTORS * 512], back[SECTORS * 512];
	int fd = -1;

	for (int t = 0; t < 50 && (fd = open("/dev/vda", O_RDWR)) < 0; t++)
		usleep(100000);
	if (fd < 0) {
		printf("init: no /dev/vda\n");
		return;
	}
	long long size = lseek(fd, 0, SEEK_END);
	printf("init: vda has %lld sectors\n", size / 512);
	for (unsigned n = 0; n < SECTORS; n++)
		pattern(n, buf + n * 512);
	if (pwrite(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf || fsync(fd)) {
		printf("init: vda write failed\n");
		return;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);   /* read back from the device */
	if (pread(fd, back, sizeof back, 0) != (ssize_t)sizeof back || memcmp(buf, back, sizeof buf))
		printf("init: vda read-back FAILED\n");
	else
		printf("init: vda: wrote, flushed and read back %d sectors\n", SECTORS);
	close(fd);
}

int main(void)
{
	struct utsname u;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	int loaded = load_modules();
	int con = -1;
	for (int t = 0; t < 50 && (con = open("/dev/hvc0", O_RDWR)) < 0; t++)
		usleep(100000);
	if (con >= 0) {
		dup2(con, 1);
		dup2(con, 2);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	uname(&u);
	printf("init: Linux %s %s, %ld CPUs online\n", u.release, u.machine,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("init: %d of %zu virtio modules loaded\n", loaded, NMOD);
	block_test();
	printf("init: powering off\n");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 1;
}
