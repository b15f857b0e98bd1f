// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware at the pc_layout.h ports: the PM1a event block
 * (PM1_STS, PM1_EN), the PM1a control register, the 24-bit PM timer, the
 * GPE0 block, and the reset control register at 0xCF9.
 *
 * Register bits: ACPI 6.4 4.8.3.1 "PM1 Event Grouping" (Tables 4.16, 4.17),
 * 4.8.3.2 "PM1 Control Grouping" (Table 4.18), 4.8.3.3 "Power Management
 * Timer", 4.8.4.1 "General-Purpose Event Register Blocks"; the reset
 * register, which the FADT's RESET_REG names: ICH10 datasheet 13.7.5
 * "RST_CNT" (bit 2 starts a reset, bits 1 and 3 choose its kind).
 *
 * The SCI is ISA IRQ 9 (PC_ACPI_SCI_IRQ), level-triggered active high:
 * isa_irq_set() carries the level to both the 8259A input (where the guest
 * sets ELCR) and IOAPIC pin 9 (where the MADT override says level, high),
 * the PIIX4 wiring; gsi_set() alone would miss a guest running on the PICs.
 *
 * One PM block per machine: the functions of acpi_pm.h find it among the
 * machine's devices.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../devices.h"
#include "../devstate.h"
#include "../evloop.h"
#include "../exitcodes.h"
#include "../bus.h"
#include "../irq.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "util.h"
#include "acpi_pm.h"

#define NSEC_PER_SEC		1000000000ULL
#define PM_TMR_MASK		0xffffffU
#define PM_TMR_MSB_SHIFT	23	/* TMR_STS: bit 23 changed */

/* PM1_STS and PM1_EN (ACPI 6.4 Tables 4.16, 4.17). */
#define PM1_TMR			0x0001
#define PM1_GBL			0x0020
#define PM1_PWRBTN		0x0100
#define PM1_SLPBTN		0x0200
#define PM1_RTC			0x0400
#define PM1_WAK_STS		0x8000
#define PM1_EN_MASK		(PM1_TMR | PM1_GBL | PM1_PWRBTN | \
				 PM1_SLPBTN | PM1_RTC)

/* PM1_CNT (Table 4.18). */
#define PM1_CNT_SCI_EN		0x0001
#define PM1_CNT_BM_RLD		0x0002
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP		(7 << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		0x2000
#define PM1_CNT_STORED		(PM1_CNT_BM_RLD | PM1_CNT_SLP_TYP)

/* Reset control register. */
#define RC_SYS_RST		0x02
#define RC_RST_CPU		0x04
#define RC_FULL_RST		0x08
#define RC_STORED		(RC_SYS_RST | RC_FULL_RST)

#define GPE0_BITS		16

struct acpi_pm {
	struct machine *m;
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint16_t gpe0_sts, gpe0_en;
	uint8_t reset_reg;
	uint64_t tmr_base;	/* evloop_now() when the timer read 0 */
	uint64_t tmr_epoch;	/* count >> 23 when TMR_STS was last due */
	struct ev_timer *tmr_timer;
	bool sci;
	/*
	 * The guest's OS has taken ACPI over: it wrote PM1_EN (Linux does
	 * at ACPI's start, clearing every fixed event it has no handler
	 * for).  A ROM never does: pressing its power button means nothing.
	 */
	bool os_acpi;
};

static const struct dev_class acpi_pm_class;

/* The PM device of m, locked (and NULL if it has none). */
static struct acpi_pm *acpi_pm_lock(struct machine *m, struct device **dev)
{
	*dev = device_find(m, &acpi_pm_class, 0);
	if (!*dev)
		return NULL;
	pthread_mutex_lock(&(*dev)->lock);
	return (*dev)->state;
}

static void acpi_pm_unlock(struct device *dev)
{
	if (dev)
		pthread_mutex_unlock(&dev->lock);
}

/*
 * PM timer ticks since start, unwrapped.  The difference is signed: a
 * loaded timer may have started before this host's clock did (before its
 * boot), its base then wrapped below 0.
 */
static uint64_t pm_ticks(const struct acpi_pm *pm, uint64_t now)
{
	int64_t d = (int64_t)(now - pm->tmr_base);
	uint64_t ns = d > 0 ? (uint64_t)d : 0;

	return (unsigned __int128)ns * PC_ACPI_PM_TMR_HZ / NSEC_PER_SEC;
}

static void pm_update_sci(struct acpi_pm *pm)
{
	bool sci = (pm->pm1_sts & pm->pm1_en & PM1_EN_MASK) ||
		   (pm->gpe0_sts & pm->gpe0_en);

	if (sci != pm->sci) {
		pm->sci = sci;
		isa_irq_set(pm->m, PC_ACPI_SCI_IRQ, sci);
	}
}

/* TMR_STS is set each time bit 23 of the counter changes. */
static void pm_sync_timer(struct acpi_pm *pm, uint64_t now)
{
	uint64_t epoch = pm_ticks(pm, now) >> PM_TMR_MSB_SHIFT;

	if (epoch != pm->tmr_epoch) {
		pm->tmr_epoch = epoch;
		pm->pm1_sts |= PM1_TMR;
	}
}

/* While TMR_EN is set, wake at the next bit-23 change for the SCI. */
static void pm_schedule_timer(struct acpi_pm *pm, uint64_t now)
{
	uint64_t next;

	if (!pm->tmr_timer)
		return;
	ev_timer_disarm(pm->tmr_timer);
	if (!(pm->pm1_en & PM1_TMR))
		return;
	next = (pm->tmr_epoch + 1) << PM_TMR_MSB_SHIFT;
	ev_timer_arm(pm->tmr_timer, pm->tmr_base +
		     ((unsigned __int128)next * NSEC_PER_SEC +
		      PC_ACPI_PM_TMR_HZ - 1) / PC_ACPI_PM_TMR_HZ);
}

static void pm_timer_fire(void *opaque)
{
	struct acpi_pm *pm = opaque;
	uint64_t now = machine_now(pm->m);

	pm_sync_timer(pm, now);
	pm_update_sci(pm);
	pm_schedule_timer(pm, now);
}

static uint8_t byte_of(uint32_t v, unsigned int i)
{
	return v >> (8 * i);
}

/* Write byte i of a 16-bit register: plain, or write-1-to-clear. */
static void write_byte(uint16_t *reg, unsigned int i, uint8_t v,
		       uint16_t mask, bool w1c)
{
	uint16_t bits = ((uint16_t)v << (8 * i)) & mask;
	uint16_t lane = (uint16_t)(0xff << (8 * i)) & mask;

	if (w1c)
		*reg &= ~bits;
	else
		*reg = (*reg & ~lane) | bits;
}

static uint64_t pm1_evt_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct acpi_pm *pm = opaque;
	uint32_t v, value = 0;
	unsigned int i;

	pm_sync_timer(pm, machine_now(pm->m));
	v = pm->pm1_sts | (uint32_t)pm->pm1_en << 16;
	for (i = 0; i < size; i++)
		value |= (uint32_t)byte_of(v, offset + i) << (8 * i);
	return value;
}

static void pm1_evt_write(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t value)
{
	struct acpi_pm *pm = opaque;
	uint64_t now = machine_now(pm->m);
	unsigned int i;

	pm_sync_timer(pm, now);
	for (i = 0; i < size; i++) {
		unsigned int b = offset + i;
		uint8_t v = byte_of(value, i);

		if (b < 2)
			write_byte(&pm->pm1_sts, b, v, 0xffff, true);
		else
			write_byte(&pm->pm1_en, b - 2, v, PM1_EN_MASK, false);
		if (b >= 2)
			pm->os_acpi = true;
	}
	pm_update_sci(pm);
	pm_schedule_timer(pm, now);
}

static const struct bus_ops pm1_evt_ops = {
	.read = pm1_evt_read,
	.write = pm1_evt_write,
};

/*
 * SLP_EN with the _S5_ type powers off.  The DSDT offers no other sleep
 * state, so a guest asking for one anyway is told it woke up at once
 * (WAK_STS), rather than left polling WAK_STS forever as ACPICA's
 * acpi_hw_legacy_sleep() would.
 */
static void pm_sleep(struct acpi_pm *pm, unsigned int slp_typ)
{
	if (slp_typ == PC_ACPI_S5_TYP) {
		machine_request_exit(pm->m, 0);
		return;
	}
	pm->pm1_sts |= PM1_WAK_STS;
}

static uint64_t pm1_cnt_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct acpi_pm *pm = opaque;
	/* SCI_EN is always set: the FADT has no SMI_CMD, so no legacy mode. */
	uint16_t v = pm->pm1_cnt | PM1_CNT_SCI_EN;

	return size == 1 ? byte_of(v, offset) : v;
}

static void pm1_cnt_write(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t value)
{
	struct acpi_pm *pm = opaque;
	uint16_t v = size == 1 ? (uint16_t)(value << (8 * offset)) : value;
	uint16_t lanes = size == 1 ? (uint16_t)(0xff << (8 * offset)) : 0xffff;

	pm->pm1_cnt = (pm->pm1_cnt & ~(lanes & PM1_CNT_STORED)) |
		      (v & lanes & PM1_CNT_STORED);
	if (v & lanes & PM1_CNT_SLP_EN)
		pm_sleep(pm, (pm->pm1_cnt & PM1_CNT_SLP_TYP) >>
			     PM1_CNT_SLP_TYP_SHIFT);
	pm_update_sci(pm);
}

static const struct bus_ops pm1_cnt_ops = {
	.read = pm1_cnt_read,
	.write = pm1_cnt_write,
};

/* Read-only; one sample per access, so a 32-bit read is consistent. */
static uint64_t pm_tmr_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct acpi_pm *pm = opaque;
	uint32_t v = pm_ticks(pm, machine_now(pm->m)) & PM_TMR_MASK;

	return v >> (8 * offset);
}

static const struct bus_ops pm_tmr_ops = {
	.read = pm_tmr_read,
};

static uint64_t gpe0_read(void *opaque, uint64_t offset, unsigned int size)
{
	struct acpi_pm *pm = opaque;
	uint32_t v = pm->gpe0_sts | (uint32_t)pm->gpe0_en << 16;
	uint32_t value = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		value |= (uint32_t)byte_of(v, offset + i) << (8 * i);
	return value;
}

static void gpe0_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t value)
{
	struct acpi_pm *pm = opaque;
	unsigned int i;

	for (i = 0; i < size; i++) {
		unsigned int b = offset + i;
		uint8_t v = byte_of(value, i);

		if (b < 2)
			write_byte(&pm->gpe0_sts, b, v, 0xffff, true);
		else
			write_byte(&pm->gpe0_en, b - 2, v, 0xffff, false);
	}
	pm_update_sci(pm);
}

static const struct bus_ops gpe0_ops = {
	.read = gpe0_read,
	.write = gpe0_write,
};

void acpi_pm_power_button(struct machine *m)
{
	struct device *dev;
	struct acpi_pm *pm = acpi_pm_lock(m, &dev);

	if (pm) {
		pm->pm1_sts |= PM1_PWRBTN;
		pm_update_sci(pm);
	}
	acpi_pm_unlock(dev);
}

bool acpi_pm_power_button_enabled(struct machine *m)
{
	struct device *dev;
	struct acpi_pm *pm = acpi_pm_lock(m, &dev);
	bool enabled = pm && pm->os_acpi;

	acpi_pm_unlock(dev);
	return enabled;
}

void acpi_pm_gpe_raise(struct machine *m, unsigned int gpe)
{
	struct device *dev;
	struct acpi_pm *pm;

	if (gpe >= GPE0_BITS)
		return;
	pm = acpi_pm_lock(m, &dev);
	if (pm) {
		pm->gpe0_sts |= 1u << gpe;
		pm_update_sci(pm);
	}
	acpi_pm_unlock(dev);
}

uint8_t pc_reset_port_read(struct machine *m)
{
	struct device *dev;
	struct acpi_pm *pm = acpi_pm_lock(m, &dev);
	uint8_t value = pm ? pm->reset_reg : 0;

	acpi_pm_unlock(dev);
	return value;
}

void pc_reset_port_write(struct machine *m, uint8_t value)
{
	struct device *dev;
	struct acpi_pm *pm = acpi_pm_lock(m, &dev);

	if (pm)
		pm->reset_reg = value & RC_STORED;
	acpi_pm_unlock(dev);
	/* Hard (SYS_RST) or soft, a VM can only be reset whole. */
	if (value & RC_RST_CPU)
		machine_request_exit(m, EXIT_CODE_RESET);
}

static const struct {
	uint16_t port, len;
	const struct bus_ops *ops;
} acpi_pm_ranges[] = {
	{ PC_ACPI_PM1A_EVT, 4, &pm1_evt_ops },
	{ PC_ACPI_PM1A_CNT, 2, &pm1_cnt_ops },
	{ PC_ACPI_PM_TMR, 4, &pm_tmr_ops },
	{ PC_ACPI_GPE0, 4, &gpe0_ops },
};

/* Power-on state: every status and enable clear, the timer from 0. */
static void acpi_pm_power_on(struct acpi_pm *pm)
{
	pm->pm1_sts = pm->pm1_en = pm->pm1_cnt = 0;
	pm->os_acpi = false;
	pm->gpe0_sts = pm->gpe0_en = 0;
	pm->reset_reg = 0;
	pm->tmr_base = machine_now(pm->m);
	pm->tmr_epoch = 0;
}

static void acpi_pm_reset(struct device *dev)
{
	struct acpi_pm *pm = dev->state;

	acpi_pm_power_on(pm);
	pm_update_sci(pm);
	pm_schedule_timer(pm, machine_now(pm->m));
}

static int acpi_pm_create(struct device *dev, const struct dev_opts *opts,
			  char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct acpi_pm *pm = calloc(1, sizeof(*pm));
	unsigned int i;
	int err = -ENOMEM;

	if (!pm)
		return -ENOMEM;
	pm->m = m;
	acpi_pm_power_on(pm);
	if (m->evloop) {
		pm->tmr_timer = ev_timer_new(m->evloop, pm_timer_fire, pm,
					     &dev->lock);
		if (!pm->tmr_timer)
			goto err_free;
	}
	for (i = 0; i < ARRAY_SIZE(acpi_pm_ranges); i++) {
		err = bus_register(&m->pio, acpi_pm_ranges[i].port,
				   acpi_pm_ranges[i].len,
				   acpi_pm_ranges[i].ops, pm, &dev->lock);
		if (err)
			goto err_unregister;
	}
	dev->state = pm;
	return 0;

err_unregister:
	while (i--)
		bus_unregister(&m->pio, acpi_pm_ranges[i].port);
	if (pm->tmr_timer)
		ev_timer_free(pm->tmr_timer);
err_free:
	free(pm);
	return err;
}

static void acpi_pm_destroy(struct device *dev)
{
	struct acpi_pm *pm = dev->state;
	unsigned int i;

	if (pm->sci)
		isa_irq_set(dev->m, PC_ACPI_SCI_IRQ, false);
	for (i = 0; i < ARRAY_SIZE(acpi_pm_ranges); i++)
		bus_unregister(&dev->m->pio, acpi_pm_ranges[i].port);
	if (pm->tmr_timer)
		ev_timer_free(pm->tmr_timer);
	free(pm);
}

static const struct devstate_field acpi_pm_fields[] = {
	DEVSTATE_FIELD(struct acpi_pm, pm1_sts, 0xffff),
	DEVSTATE_FIELD(struct acpi_pm, pm1_en, 0xffff),
	DEVSTATE_FIELD(struct acpi_pm, pm1_cnt, 0xffff),
	DEVSTATE_FIELD(struct acpi_pm, gpe0_sts, 0xffff),
	DEVSTATE_FIELD(struct acpi_pm, gpe0_en, 0xffff),
	DEVSTATE_FIELD(struct acpi_pm, reset_reg, 0xff),
	DEVSTATE_FIELD(struct acpi_pm, tmr_epoch, UINT64_MAX),
	DEVSTATE_FIELD(struct acpi_pm, sci, 1),
	DEVSTATE_FIELD(struct acpi_pm, os_acpi, 1),
};

/* The PM timer is saved as how long ago it read 0, so it runs on. */
/* The PM timer stands still while the machine is paused. */
static void acpi_pm_pause(struct device *dev)
{
	struct acpi_pm *pm = dev->state;

	if (pm->tmr_timer)
		ev_timer_disarm(pm->tmr_timer);
}

static void acpi_pm_resume(struct device *dev, uint64_t paused_ns)
{
	struct acpi_pm *pm = dev->state;

	pm->tmr_base += paused_ns;
	pm_schedule_timer(pm, machine_now(pm->m));
}

static int acpi_pm_save(struct device *dev, struct devstate *ds)
{
	struct acpi_pm *pm = dev->state;

	devstate_put_fields(ds, pm, acpi_pm_fields,
			    ARRAY_SIZE(acpi_pm_fields));
	devstate_put_u64(ds, "tmr_started_ns_ago",
			 machine_now(pm->m) - pm->tmr_base);
	return 0;
}

static int acpi_pm_load(struct device *dev, struct devstate *ds,
			uint32_t version)
{
	struct acpi_pm *pm = dev->state, t = *pm;
	uint64_t now = machine_now(pm->m), ago;
	int err;

	err = devstate_get_fields(ds, &t, acpi_pm_fields,
				  ARRAY_SIZE(acpi_pm_fields));
	if (!err)
		err = devstate_get_u64(ds, "tmr_started_ns_ago", &ago);
	if (err)
		return err;
	/* Only bits a guest's writes can leave there. */
	if ((t.reset_reg & ~RC_STORED) || (t.pm1_cnt & ~PM1_CNT_STORED))
		return -EINVAL;
	t.tmr_base = now - ago;
	*pm = t;
	isa_irq_set(pm->m, PC_ACPI_SCI_IRQ, pm->sci);
	pm_schedule_timer(pm, now);
	return 0;
}

static const struct dev_class acpi_pm_class = {
	.name = "acpi-pm",
	.desc = "ACPI PM1 at 0x600-0x60B, GPE0 at 0x620, SCI on IRQ 9; reset at 0xCF9",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.create = acpi_pm_create,
	.reset = acpi_pm_reset,
	.pause = acpi_pm_pause,
	.resume = acpi_pm_resume,
	.state_version = 1,
	.save = acpi_pm_save,
	.load = acpi_pm_load,
	.destroy = acpi_pm_destroy,
};
DEVICE_CLASS(acpi_pm_class);
