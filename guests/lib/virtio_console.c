/* virtio-console (device ID 3), single port: queue 0 receiveq, queue 1 transmitq.
 * Interrupt driven; all state is touched with IRQs masked and the lock held,
 * so any CPU may write. The interrupt goes to the CPU that probed the device;
 * other CPUs poll the rings while they wait. */
#include <string.h>
#include "virtio.h"
#include "internal.h"

#define NRX	8		/* small receive buffers kept posted */
#define RXSZ	64
#define NTX	4		/* transmit buffers in flight */
#define TXSZ	2048
#define RXRING	1024		/* received characters not yet read() */

static struct vq rxq, txq;
static struct vdev *con;
static uint8_t vq_pages[2][4096] __attribute__((aligned(4096)));	/* 64 entries each */
static char rxbuf[NRX][RXSZ] __attribute__((aligned(64)));
static char txbuf[NTX][TXSZ] __attribute__((aligned(64)));
static unsigned tx_free = (1u << NTX) - 1;	/* bitmap of idle txbuf */
static char rxring[RXRING];
static unsigned rx_head, rx_tail, rx_last_cr;
static spinlock_t lock;
static uint64_t irq_cpu;	/* hardware id of the CPU taking our interrupt */
static unsigned flood_outstanding;	/* vcon_flood() buffers the device has not used yet */

/* Wait for the device with the lock held: only irq_cpu is woken by it. */
static void vcon_wait(unsigned long f)
{
	if (cpu_hwid() == irq_cpu)
		rt_idle(f);
	else
		cpu_relax();
}

/* Collect used buffers of both queues: free TX buffers, move RX data into
 * rxring ('\r' and "\r\n" become '\n') and re-post the RX buffers. */
static void vcon_poll(void)
{
	uint32_t len, i;
	char *b;

	while (vq_has_used(&txq)) {
		b = vq_pop(&txq, 0);
		if (b == (char *)&flood_outstanding)
			flood_outstanding--;
		else
			tx_free |= 1u << (b - txbuf[0]) / TXSZ;
	}
	while (vq_has_used(&rxq)) {
		b = vq_pop(&rxq, &len);
		for (i = 0; i < len && i < RXSZ; i++) {
			char c = b[i];
			if (c == '\n' && rx_last_cr) {
				rx_last_cr = 0;
				continue;
			}
			rx_last_cr = c == '\r';
			if (rx_last_cr)
				c = '\n';
			if (rx_head - rx_tail < RXRING)
				rxring[rx_head++ % RXRING] = c;
		}
		vq_add(&rxq, b, RXSZ, 1, b);
	}
	vq_kick(&rxq);
}

static void vcon_irq(void *arg)
{
	(void)arg;
	con->ops->irq_ack(con);
	/* busy: the holder polls the rings itself (it may be us, in vcon_wait) */
	if (spin_trylock(&lock)) {
		vcon_poll();
		spin_unlock(&lock);
	}
}

int vcon_probe(struct vdev *d)
{
	uint64_t feat = (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX);
	int i, ev;

	if (con)
		return -1;	/* one console is enough */
	if (d->ops->negotiate(d, &feat)) {
		rt_warn("virtio@0x%lx: console feature negotiation failed\n", (unsigned long)d->base);
		return -1;
	}
	ev = !!(feat & (1ull << VIRTIO_F_EVENT_IDX));
	if (d->ops->queue_setup(d, &rxq, 0, vq_pages[0], 64, ev) ||
	    d->ops->queue_setup(d, &txq, 1, vq_pages[1], 64, ev)) {
		rt_warn("virtio@0x%lx: console queue setup failed\n", (unsigned long)d->base);
		d->ops->set_failed(d);
		return -1;
	}
	con = d;
	irq_cpu = cpu_hwid();
	if (intc_enable_irq(d->intid, d->edge, vcon_irq, 0))
		rt_polling = 1;	/* no interrupt controller: busy-poll the rings */
	d->ops->driver_ok(d);
	for (i = 0; i < NRX && i < (int)rxq.size; i++)
		vq_add(&rxq, rxbuf[i], RXSZ, 1, rxbuf[i]);
	vq_kick(&rxq);
	return 0;
}

/* Copy into idle TX buffers (up to TXSZ per buffer), one notify per call
 * unless we must wait for the device to hand buffers back. */
long vcon_write(const char *buf, size_t n)
{
	unsigned long f;
	size_t done = 0;

	if (!con)	/* the arch's console, or nowhere: pretend it went out */
		return arch_console_write ? arch_console_write(buf, n) : (long)n;
	f = spin_lock_irqsave(&lock);
	while (done < n) {
		size_t c = n - done < TXSZ ? n - done : TXSZ;
		int i;

		while (!tx_free || !txq.num_free) {
			vq_kick(&txq);
			vcon_poll();
			if (!tx_free || !txq.num_free)
				vcon_wait(f);
		}
		i = __builtin_ctz(tx_free);
		tx_free &= ~(1u << i);
		memcpy(txbuf[i], buf + done, c);
		vq_add(&txq, txbuf[i], c, 0, txbuf[i]);
		done += c;
	}
	vq_kick(&txq);
	spin_unlock_irqrestore(&lock, f);
	return n;
}

/* Block until input is there; return at most one line. */
long vcon_read(char *buf, size_t n)
{
	unsigned long f;
	size_t i = 0;

	if (!con)
		return 0;
	f = spin_lock_irqsave(&lock);
	for (vcon_poll(); rx_head == rx_tail; vcon_poll())
		vcon_wait(f);
	while (i < n && rx_tail != rx_head) {
		buf[i] = rxring[rx_tail++ % RXRING];
		if (buf[i++] == '\n')
			break;
	}
	spin_unlock_irqrestore(&lock, f);
	return i;
}

/* For hostile tests: up to n transmit buffers of len bytes, each the same buf, queued at
 * once and announced with one notify, so that one exit hands the device all of them.
 * Returns how many were queued, once the device has used them all. */
long vcon_flood(const void *buf, uint32_t len, unsigned n)
{
	unsigned long f;
	unsigned added = 0;

	if (!con)
		return 0;
	vcon_flush();
	f = spin_lock_irqsave(&lock);
	while (added < n && txq.num_free) {
		vq_add(&txq, (void *)buf, len, 0, &flood_outstanding);
		flood_outstanding++;
		added++;
	}
	vq_kick(&txq);
	for (vcon_poll(); flood_outstanding; vcon_poll())
		vcon_wait(f);
	spin_unlock_irqrestore(&lock, f);
	return added;
}

void vcon_flush(void)
{
	unsigned long f;

	if (!con) {
		if (arch_console_flush)
			arch_console_flush();
		return;
	}
	f = spin_lock_irqsave(&lock);
	vq_kick(&txq);
	for (vcon_poll(); tx_free != (1u << NTX) - 1; vcon_poll())
		vcon_wait(f);
	spin_unlock_irqrestore(&lock, f);
}

unsigned long console_notify_count(void)
{
	return rxq.notifies + txq.notifies;
}

void rt_raw_puts(const char *s)
{
	vcon_write(s, strlen(s));
	vcon_flush();
}
