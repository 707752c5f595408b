/* /init of the initrd the Debian-kernel rows boot (test/e2e/linux): loads the virtio
 * modules from the initrd's root, then on the partition console (hvc0) reports the kernel,
 * mounts the ext4 file system the runner made on its block slice (vda), writes a file of
 * the runner's pattern, unmounts, mounts again, reads it back, and powers off. The runner
 * checks the file from the host afterwards. Built static with the arch's gcc: the partition
 * has nothing else. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define FILE_SECTORS 128          /* 64 KiB */
#define FILE_NAME "/mnt/hello.txt"

static const char *const modules[] = { "virtio.ko", "virtio_ring.ko", "virtio_mmio.ko",
				       "virtio_console.ko", "virtio_blk.ko" };
#define NMOD (sizeof modules / sizeof modules[0])

/* Block n of the file: "debian file n\n" repeated over 512 bytes (test/e2e/run.py, ext4). */
static void pattern(unsigned n, char *buf)
{
	char line[64];
	int len = snprintf(line, sizeof line, "debian file %u\n", n);

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

static int file_io(int flags, char *buf, size_t len)
{
	int fd = open(FILE_NAME, flags, 0644);
	ssize_t n = -1;

	if (fd < 0)
		return -1;
	if (flags & O_WRONLY)
		n = write(fd, buf, len) == (ssize_t)len && fsync(fd) == 0 ? (ssize_t)len : -1;
	else
		n = read(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static void block_test(void)
{
	static char buf[FILE_SECTORS * 512], back[FILE_SECTORS * 512];
	int fd = -1;

	for (int t = 0; t < 50 && (fd = open("/dev/vda", O_RDONLY)) < 0; t++)
		usleep(100000);
	if (fd < 0) {
		printf("init: no /dev/vda\n");
		return;
	}
	long long size = lseek(fd, 0, SEEK_END);
	close(fd);
	printf("init: vda has %lld sectors\n", size / 512);
	for (unsigned n = 0; n < FILE_SECTORS; n++)
		pattern(n, buf + n * 512);
	if (mount("/dev/vda", "/mnt", "ext4", 0, NULL)) {
		perror("init: mount /dev/vda FAILED");
		return;
	}
	if (file_io(O_WRONLY | O_CREAT | O_TRUNC, buf, sizeof buf) || umount("/mnt")) {
		printf("init: writing %s FAILED\n", FILE_NAME);
		return;
	}
	/* a fresh mount: the file comes back from the device, not the page cache */
	if (mount("/dev/vda", "/mnt", "ext4", MS_RDONLY, NULL) ||
	    file_io(O_RDONLY, back, sizeof back) || memcmp(buf, back, sizeof buf)) {
		printf("init: reading %s back FAILED\n", FILE_NAME);
		return;
	}
	umount("/mnt");
	printf("init: vda: ext4 mounted, %s written (%d KiB), remounted and read back\n", FILE_NAME,
	       FILE_SECTORS / 2);
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
