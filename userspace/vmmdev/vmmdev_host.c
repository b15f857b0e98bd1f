// SPDX-License-Identifier: GPL-2.0
/*
 * What the host asks of VMMDev (additions.h), from the control socket's
 * thread: each call takes the device's lock, as a vCPU's request does.
 */
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <vmmdev/vbox_status.h>

#include "machine.h"
#include "svc_guestprop.h"
#include "vmmdev_dev.h"

static int host_prop_get(void *opaque, const char *name, struct guest_prop *p)
{
	struct vmmdev *vd = opaque;
	int err;

	pthread_mutex_lock(&vd->dev->lock);
	err = guestprop_get(guestprop_svc(vd), name, p);
	pthread_mutex_unlock(&vd->dev->lock);
	return err;
}

static int host_prop_set(void *opaque, const char *name, const char *value,
			 const char *flags, uint64_t timestamp, char *why,
			 unsigned int why_len)
{
	struct vmmdev *vd = opaque;
	int err;

	pthread_mutex_lock(&vd->dev->lock);
	err = guestprop_host_set(guestprop_svc(vd), name, value, flags,
				 timestamp, why, why_len);
	pthread_mutex_unlock(&vd->dev->lock);
	return err;
}

static void host_prop_enum(void *opaque, const char *patterns,
			   guest_prop_fn fn, void *arg)
{
	struct vmmdev *vd = opaque;

	pthread_mutex_lock(&vd->dev->lock);
	guestprop_enum(guestprop_svc(vd), patterns, fn, arg);
	pthread_mutex_unlock(&vd->dev->lock);
}

const char *vmmdev_facility_name(uint32_t facility)
{
	switch (facility) {
	case VMMDEV_FACILITY_DRIVER:		return "driver";
	case VMMDEV_FACILITY_AUTOLOGON:		return "autologon";
	case VMMDEV_FACILITY_SERVICE:		return "service";
	case VMMDEV_FACILITY_CLIENT:		return "client";
	case VMMDEV_FACILITY_SEAMLESS:		return "seamless";
	case VMMDEV_FACILITY_GRAPHICS:		return "graphics";
	case VMMDEV_FACILITY_MONITOR_ATTACH:	return "monitor-attach";
	default:				return "other";
	}
}

const char *vmmdev_facility_status_name(uint32_t status)
{
	switch (status) {
	case VMMDEV_FACILITY_INACTIVE:		return "inactive";
	case VMMDEV_FACILITY_PAUSED:		return "paused";
	case VMMDEV_FACILITY_PREINIT:		return "pre-init";
	case VMMDEV_FACILITY_INIT:		return "init";
	case VMMDEV_FACILITY_ACTIVE:		return "active";
	case VMMDEV_FACILITY_TERMINATING:	return "terminating";
	case VMMDEV_FACILITY_TERMINATED:	return "terminated";
	case VMMDEV_FACILITY_FAILED:		return "failed";
	default:				return "unknown";
	}
}

static void add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* A guest property's value, if the additions set it. */
static void add_prop(struct vmmdev *vd, struct json_object *o,
		     const char *key, const char *name)
{
	struct guest_prop p;

	if (!guestprop_get(guestprop_svc(vd), name, &p))
		add_str(o, key, p.value);
}

static struct json_object *facilities(struct vmmdev *vd)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < vd->nr_facilities; i++) {
		struct json_object *f = json_object_new_object();
		const struct vmmdev_facility_state *s = &vd->facility[i];

		add_str(f, "facility", vmmdev_facility_name(s->facility));
		json_object_object_add(f, "id",
				       json_object_new_int64(s->facility));
		add_str(f, "status", vmmdev_facility_status_name(s->status));
		json_object_object_add(f, "since_ms",
				       json_object_new_int64(s->since_ms));
		json_object_array_add(a, f);
	}
	return a;
}

static void host_describe(void *opaque, struct json_object *o)
{
	struct vmmdev *vd = opaque;
	struct json_object *a = json_object_new_object();
	const char *hb;

	pthread_mutex_lock(&vd->dev->lock);
	json_object_object_add(a, "driver",
			       json_object_new_boolean(vd->additions_ok));
	if (vd->have_info2) {
		add_str(a, "version", vd->info2.name);
		json_object_object_add(a, "revision",
				       json_object_new_int64(vd->info2.revision));
	}
	if (vd->additions_ok)
		json_object_object_add(a, "os_type",
				       json_object_new_int64(vd->os_type));
	add_prop(vd, a, "os_product", "/VirtualBox/GuestInfo/OS/Product");
	add_prop(vd, a, "os_release", "/VirtualBox/GuestInfo/OS/Release");
	add_prop(vd, a, "os_version", "/VirtualBox/GuestInfo/OS/Version");
	add_prop(vd, a, "additions_version", "/VirtualBox/GuestAdd/Version");
	json_object_object_add(a, "facilities", facilities(vd));
	hb = !vd->hb_enabled ? "off" : vd->hb_flatlined ? "flatlined" : "ok";
	add_str(a, "heartbeat", hb);
	pthread_mutex_unlock(&vd->dev->lock);
	json_object_object_add(o, "additions", a);
}

/* The daemon's facility (VBoxService's) listens once it is active. */
static int host_shutdown(void *opaque, bool reboot)
{
	struct vmmdev *vd = opaque;
	struct vmmdev_facility_state *f = NULL;
	unsigned int i;
	int err = -EAGAIN;

	pthread_mutex_lock(&vd->dev->lock);
	for (i = 0; i < vd->nr_facilities; i++)
		if (vd->facility[i].facility == VMMDEV_FACILITY_SERVICE)
			f = &vd->facility[i];
	if (vd->additions_ok && f && f->status == VMMDEV_FACILITY_ACTIVE)
		err = guestprop_host_set(guestprop_svc(vd),
					 GUESTPROP_POWER_REQUEST,
					 reboot ? "reboot" : "poweroff",
					 "TRANSIENT, RDONLYGUEST", 0, NULL, 0);
	pthread_mutex_unlock(&vd->dev->lock);
	return err;
}

static void host_guest_gone(void *opaque)
{
	struct vmmdev *vd = opaque;

	pthread_mutex_lock(&vd->dev->lock);
	hgcm_reset(vd);
	pthread_mutex_unlock(&vd->dev->lock);
}

static const struct additions_ops vmmdev_additions_ops = {
	.prop_get = host_prop_get,
	.prop_set = host_prop_set,
	.prop_enum = host_prop_enum,
	.describe = host_describe,
	.shutdown = host_shutdown,
	.guest_gone = host_guest_gone,
};

void vmmdev_host_attach(struct vmmdev *vd)
{
	vd->m->additions = &vmmdev_additions_ops;
	vd->m->additions_opaque = vd;
}

void vmmdev_host_detach(struct vmmdev *vd)
{
	if (vd->m->additions_opaque != vd)
		return;
	vd->m->additions = NULL;
	vd->m->additions_opaque = NULL;
}
